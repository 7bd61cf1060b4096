// Live sessions: the countdown, what a screen does when the connection drops, and keeping the
// reader's place when the stage is redrawn. The server decides everything (what is open, what
// is late); this only keeps the screen honest: a question whose time is up, or that cannot be
// reached, is never shown as if it were open, and an answer that did not go is sent again.
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

  function fromAnswer(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.hasAttribute && elt.hasAttribute("data-answer-form");
  }

  // An answer that did not reach the server is kept and sent again as soon as the connection is
  // back, before the stage is redrawn. The server keeps the first answer it receives and judges
  // the time by its own clock, so a repeat never counts twice and a late one is refused.
  var pending = null;

  function resend() {
    if (!pending) return Promise.resolve();
    var sending = pending;
    return window
      .fetch(sending.url, { method: "POST", body: sending.body, headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function () {
        if (pending === sending) pending = null;
      });
  }

  var wasOffline = false;
  document.addEventListener("htmx:sendError", function (event) {
    if (fromAnswer(event)) pending = { url: event.detail.elt.action, body: new FormData(event.detail.elt) };
    if (fromPoll(event) || fromAnswer(event)) {
      wasOffline = true;
      setOffline(true);
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
      // Whatever happened meanwhile: send what did not go, then show the stage as it is now.
      resend().then(refresh, refresh);
    }
  });

  // A redrawn stage keeps the reader's place: the panel they opened, the button they were on,
  // and a screen reader hears what changed (the new heading and status), once.
  var kept = { open: [], focus: null };
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target !== stage()) return;
    kept.open = Array.prototype.map.call(stage().querySelectorAll("details[open][id]"), function (el) { return el.id; });
    var active = document.activeElement;
    kept.focus = active && active.id && stage().contains(active) ? active.id : null;
  });
  var lastAnnounced = "";
  document.addEventListener("htmx:afterSettle", function () {
    var el = stage();
    if (!el) return;
    kept.open.forEach(function (id) {
      var details = document.getElementById(id);
      if (details) details.open = true;
    });
    if (kept.focus) {
      var target = document.getElementById(kept.focus);
      if (target) target.focus();
    }
    kept = { open: [], focus: null };
    var announcer = document.querySelector("[data-announcer]");
    var parts = Array.prototype.map.call(el.querySelectorAll("h1, [role='status'] h2, [role='alert']:not([hidden])"), function (node) {
      return node.textContent.trim();
    });
    var text = parts.filter(Boolean).join(". ");
    if (announcer && text && text !== lastAnnounced) {
      lastAnnounced = text;
      announcer.textContent = text;
    }
  });
})();
