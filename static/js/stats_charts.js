/* Statistics dashboard: one ECharts chart per table (data from the #stats-charts JSON), and the copy button. */
(function () {
  "use strict";
  var source = document.getElementById("stats-charts");
  var specs = source ? JSON.parse(source.textContent) : {};
  var charts = [];

  function option(spec) {
    if (spec.type === "pie") {
      return {
        tooltip: { trigger: "item" },
        legend: { bottom: 0, type: "scroll" },
        series: [{
          type: "pie", radius: "55%",
          data: spec.categories.map(function (name, i) { return { name: name, value: spec.series[0].data[i] }; })
        }]
      };
    }
    var many = spec.categories.length > 5;
    return {
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 8, bottom: 8, top: 32, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: many ? 35 : 0, fontSize: 11 } },
      yAxis: { type: "value", minInterval: 1 },
      series: spec.series.map(function (s) { return { name: s.name, type: spec.type, data: s.data, smooth: spec.type === "line" }; })
    };
  }

  if (window.echarts) {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var spec = specs[el.getAttribute("data-chart")];
      if (!spec || !spec.categories.length) { el.remove(); return; }
      var chart = window.echarts.init(el);
      chart.setOption(option(spec));
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = document.getElementById(button.getAttribute("data-copy-target")).textContent.trim();
      var done = function () {
        button.textContent = "已复制";
        setTimeout(function () { button.textContent = "复制"; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done);
      } else {
        var area = document.createElement("textarea");
        area.value = text;
        document.body.appendChild(area);
        area.select();
        document.execCommand("copy");
        area.remove();
        done();
      }
    });
  });
})();
