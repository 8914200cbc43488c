// The keyboard 立案审查 screen (templates/proposals/staff/review_keys.html): R 立案, T 退回, J 不予立案
// (then a number key picks the reason, Enter confirms), M 并案, N/P next/previous, Esc closes a panel.
// Keys act only when no text field is focused; every action is also a visible button.
(function () {
  "use strict";
  var root = document.querySelector("[data-review-keys]");
  if (!root) return;

  function typing(el) {
    if (!el) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return ["radio", "checkbox", "button", "submit", "reset", "hidden"].indexOf(el.type) === -1;
  }

  function byId(id) {
    return document.getElementById(id);
  }

  function press(id) {
    var button = byId(id);
    if (button && !button.disabled) {
      button.disabled = true; // one submission per key press
      button.form.submit();
      return true;
    }
    return false;
  }

  function follow(id) {
    var link = byId(id);
    if (link) {
      window.location.assign(link.href);
      return true;
    }
    return false;
  }

  function openPanel(id, focusId) {
    var panel = byId(id);
    if (!panel) return false;
    ["panel-return", "panel-reject"].forEach(function (other) {
      if (other !== id && byId(other)) byId(other).open = false;
    });
    panel.open = true;
    var target = focusId ? byId(focusId) : panel.querySelector("summary");
    if (target) target.focus();
    panel.scrollIntoView({ block: "nearest" });
    return true;
  }

  function submitReject() {
    var form = byId("reject-form");
    if (!form) return;
    if (typeof form.requestSubmit === "function") form.requestSubmit(byId("act-reject"));
    else form.submit();
  }

  document.addEventListener("keydown", function (event) {
    var active = document.activeElement;
    if (event.key === "Escape") {
      ["panel-return", "panel-reject"].forEach(function (id) {
        if (byId(id)) byId(id).open = false;
      });
      if (active && active.blur) active.blur();
      return;
    }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && active && active.id === "return-reason") {
      event.preventDefault();
      press("act-return");
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (typing(active)) return;
    var reject = byId("panel-reject");
    if (reject && reject.open) {
      if (/^[0-9]$/.test(event.key)) {
        var radio = reject.querySelector('input[name="reason_code"][data-key="' + event.key + '"]');
        if (radio) {
          radio.checked = true;
          radio.focus();
          event.preventDefault();
        }
        return;
      }
      if (event.key === "Enter" && (!active || active.tagName !== "BUTTON")) {
        event.preventDefault();
        submitReject();
        return;
      }
    }
    var handled = false;
    switch (event.key.toLowerCase()) {
      case "r":
        handled = press("act-register");
        break;
      case "t":
        handled = openPanel("panel-return", "return-reason");
        break;
      case "j":
        handled = openPanel("panel-reject");
        break;
      case "m":
        handled = press("act-merge");
        break;
      case "n":
        handled = follow("nav-next");
        break;
      case "p":
        handled = follow("nav-prev");
        break;
    }
    if (handled) event.preventDefault();
  });
})();
