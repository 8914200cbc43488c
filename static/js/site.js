/* Behaviour every page shares, bound by data- attributes so no template needs an inline handler
   (the Content-Security-Policy allows scripts from this site only):
   - data-confirm="确定…？" on a <form> (asked before it is submitted) or on a submit <button>
     (asked when that button submits its form): the submission is cancelled unless confirmed;
   - data-autosubmit on a <select>/<input>: a change submits its form;
   - data-check-all="CSS selector" on a checkbox: ticks or clears every checkbox the selector matches;
   - data-options-from="ID" on a <select>: the <option>s of <template id="ID"> are copied in (a list of
     rows that each pick from the same long list writes that list once), except the one whose value is
     data-options-skip. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) {
      if (el.form.requestSubmit) {
        el.form.requestSubmit();
      } else {
        el.form.submit();
      }
    }
    if (el.hasAttribute && el.hasAttribute("data-check-all")) {
      document.querySelectorAll(el.getAttribute("data-check-all")).forEach(function (box) {
        if (box !== el) box.checked = el.checked;
      });
    }
  });

  function fillOptions(root) {
    root.querySelectorAll("select[data-options-from]").forEach(function (select) {
      var source = document.getElementById(select.getAttribute("data-options-from"));
      if (!source || select.hasAttribute("data-options-filled")) return;
      var skip = select.getAttribute("data-options-skip");
      source.content.querySelectorAll("option").forEach(function (option) {
        if (option.value !== skip) select.appendChild(option.cloneNode(true));
      });
      select.setAttribute("data-options-filled", "");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { fillOptions(document); });
  } else {
    fillOptions(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { fillOptions(event.target); });
})();
