/* Proposal form helpers (no dependencies): live character counts against the policy limits, fields that
   only apply to one proposal kind or session, a filter box for long <select>s, and a warning before
   leaving the page with unsaved changes. Also used by the review page for its filter box. */
(function () {
  "use strict";

  function countChars(value) {
    // Count code points like the server's len(), not UTF-16 units; the server strips the ends.
    return Array.from(value.trim()).length;
  }

  function bindCounter(field) {
    var target = document.getElementById(field.dataset.countTarget);
    var max = parseInt(field.dataset.countMax, 10);
    if (!target) return;
    var update = function () {
      var n = countChars(field.value);
      target.textContent = n;
      var over = max && n > max;
      target.classList.toggle("text-danger", over);
      target.classList.toggle("fw-bold", over);
      field.classList.toggle("is-invalid", over);
    };
    field.addEventListener("input", update);
    update();
  }

  function bindFilter(input) {
    var select = document.getElementById(input.dataset.filterSelect);
    if (!select) return;
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        // Selected options stay visible so a filter never hides what will be sent.
        var match = !needle || option.selected || option.text.toLowerCase().indexOf(needle) !== -1;
        option.hidden = !match;
      });
    });
  }

  // A touch-friendly picker: a filter box over a list of checkboxes (works without JavaScript too).
  function bindCheckFilter(input) {
    var list = document.getElementById(input.dataset.filterChecks);
    if (!list) return;
    var items = list.querySelectorAll(".form-check");
    var counter = input.closest("[data-cosigner-picker]");
    counter = counter ? counter.querySelector("[data-chosen-count]") : null;
    var count = function () {
      if (counter) counter.textContent = list.querySelectorAll("input[type=checkbox]:checked").length;
    };
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      items.forEach(function (item) {
        var box = item.querySelector("input");
        // Ticked names stay visible so a filter never hides what will be sent.
        var match = !needle || box.checked || item.textContent.toLowerCase().indexOf(needle) !== -1;
        item.hidden = !match;
      });
    });
    list.addEventListener("change", count);
    count();
  }

  function toggleSections(form, attribute, radios) {
    var checked = Array.prototype.filter.call(radios, function (r) { return r.checked; })[0];
    var value = checked ? checked.value : "";
    form.querySelectorAll("[" + attribute + "]").forEach(function (section) {
      section.hidden = section.getAttribute(attribute) !== value;
    });
  }

  function serialize(form) {
    var parts = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "submit" || el.name === "csrfmiddlewaretoken") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { parts.push(el.name + "=" + o.value); });
      } else if (el.type === "file") {
        parts.push(el.name + "=" + (el.files.length ? el.files[0].name : ""));
      } else {
        parts.push(el.name + "=" + el.value);
      }
    });
    return parts.join("&");
  }

  document.querySelectorAll("[data-count-max]").forEach(bindCounter);
  document.querySelectorAll("[data-filter-select]").forEach(bindFilter);
  document.querySelectorAll("[data-filter-checks]").forEach(bindCheckFilter);

  var form = document.querySelector("[data-proposal-form]");
  if (!form) return;

  var kindRadios = form.querySelectorAll("[data-kind-radio]");
  var sessionRadios = form.querySelectorAll("[data-session-radio]");
  var refresh = function () {
    toggleSections(form, "data-show-for-kind", kindRadios);
    toggleSections(form, "data-show-for-session", sessionRadios);
  };
  kindRadios.forEach(function (r) { r.addEventListener("change", refresh); });
  sessionRadios.forEach(function (r) { r.addEventListener("change", refresh); });
  refresh();

  // A page re-shown after a refused save holds unsaved input too.
  var saved = form.querySelector(".alert-danger") ? "" : serialize(form);
  var submitting = false;
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || serialize(form) === saved) return;
    event.preventDefault();
    event.returnValue = "您有尚未保存的修改，确定要离开吗？";
    return event.returnValue;
  });
})();
