/* Member picker (members/widgets.py MemberPickerWidget): a search box fetches matching serving
   members as checkboxes (htmx); ticking one moves it into the chosen list so a new search does
   not lose it; matches already chosen are dropped from the results; Enter in the box searches
   instead of submitting the form. */
(function () {
  "use strict";

  function pickerOf(el) {
    return el.closest ? el.closest("[data-member-picker]") : null;
  }

  function recount(picker) {
    var count = picker.querySelector("[data-member-picker-count]");
    if (count) {
      count.textContent = picker.querySelectorAll("[data-member-picker-chosen] input:checked").length;
    }
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    var picker = pickerOf(box);
    if (!picker || (box.type !== "checkbox" && box.type !== "radio")) return;
    var results = picker.querySelector("[data-member-picker-results]");
    var chosen = picker.querySelector("[data-member-picker-chosen]");
    if (box.checked && results && results.contains(box)) {
      if (box.type === "radio") {
        chosen.querySelectorAll(".form-check").forEach(function (row) { row.remove(); });
      }
      chosen.appendChild(box.closest(".form-check"));
      box.focus();
    }
    recount(picker);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.hasAttribute && event.target.hasAttribute("data-member-picker-q")) {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.target;
    if (!target.hasAttribute || !target.hasAttribute("data-member-picker-results")) return;
    var picker = pickerOf(target);
    var taken = {};
    picker.querySelectorAll("[data-member-picker-chosen] input").forEach(function (box) {
      taken[box.value] = true;
    });
    target.querySelectorAll("input[type=checkbox], input[type=radio]").forEach(function (box) {
      if (taken[box.value]) box.closest(".form-check").remove();
    });
  });
})();
