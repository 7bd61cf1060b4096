// Live sessions: the countdown, and what a screen does when the connection drops.
// The server decides everything (what is open, what is late); this only keeps the screen honest:
// a question whose time is up, or that cannot be reached, is never shown as if it were open.
(function () {
  "use strict";

  function stage() {
    return document.querySelector("[data-live-stage]");
  }

  function refresh() {
    var el = stage();
    if (el && window.htmx) window.htmx.trigger(el, "live-changed");
  }

  function setOffline(offline) {
    var el = stage();
    if (!el) return;
    el.classList.toggle("is-offline", offline);
    var notice = el.querySelector("[data-offline]");
    if (notice) notice.hidden = !offline;
    el.querySelectorAll("[data-answer-form] button[type='submit']").forEach(function (button) {
      button.disabled = offline;
    });
  }

  // The countdown shows the seconds the server gave; at zero the form closes here too.
  function tick() {
    document.querySelectorAll("[data-countdown]").forEach(function (timer) {
      var left = parseInt(timer.getAttribute("data-countdown"), 10) - 1;
      if (isNaN(left)) return;
      timer.setAttribute("data-countdown", String(Math.max(left, 0)));
      var value = timer.querySelector("[data-countdown-value]");
      if (left > 0) {
        if (value) value.textContent = String(left);
        return;
      }
      timer.removeAttribute("data-countdown");
      timer.textContent = "Time's up";
      var form = document.querySelector("[data-answer-form]");
      if (form) form.querySelectorAll("input, select, button").forEach(function (field) { field.disabled = true; });
      // Student-paced: nobody else's action will change this screen, so fetch it now.
      if (timer.hasAttribute("data-refresh-at-zero")) refresh();
    });
  }
  window.setInterval(tick, 1000);

  function fromPoll(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.hasAttribute && elt.hasAttribute("data-poll");
  }

  var wasOffline = false;
  document.addEventListener("htmx:sendError", function (event) {
    if (fromPoll(event)) {
      wasOffline = true;
      setOffline(true);
      return;
    }
    // An answer that did not reach the server: send it again shortly. The server keeps the
    // first answer it receives, so a repeat can never count twice.
    var form = event.detail && event.detail.elt;
    if (form && form.hasAttribute && form.hasAttribute("data-answer-form")) {
      var tries = parseInt(form.getAttribute("data-tries") || "0", 10);
      if (tries < 5) {
        form.setAttribute("data-tries", String(tries + 1));
        window.setTimeout(function () {
          if (document.body.contains(form)) window.htmx.trigger(form, "submit");
        }, 2000 * (tries + 1));
      }
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    if (fromPoll(event)) {
      wasOffline = true;
      setOffline(true);
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (fromPoll(event) && event.detail.successful && wasOffline) {
      wasOffline = false;
      setOffline(false);
      refresh(); // whatever happened meanwhile, show the stage as it is now
    }
  });
})();
