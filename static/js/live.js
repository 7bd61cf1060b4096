// Live sessions: the countdown, what a screen does when the connection drops, keeping the
// reader's place when the stage is redrawn, and the projector's keys and full screen. The server
// decides everything (what is open, what is late); this only keeps the screen honest: a question
// whose time is up, or that cannot be reached, is never shown as if it were open, and an answer
// that did not go is sent again.
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

  // The countdown. What is left is worked out from the deadline on every tick, never by counting
  // ticks: a laptop or phone that slept (its timers paused) shows the right time as it wakes.
  // The server's clock when it made the page (data-now) corrects a device whose clock is off.
  var skews = new WeakMap();

  function skew(timer) {
    if (!skews.has(timer)) {
      var now = parseInt(timer.getAttribute("data-now"), 10);
      skews.set(timer, isNaN(now) ? 0 : now - Date.now());
    }
    return skews.get(timer);
  }

  function tick() {
    document.querySelectorAll("[data-deadline]").forEach(function (timer) {
      var deadline = parseInt(timer.getAttribute("data-deadline"), 10);
      if (isNaN(deadline)) return;
      var leftMs = deadline - (Date.now() + skew(timer));
      var left = Math.max(Math.ceil(leftMs / 1000), 0);
      var duration = parseInt(timer.getAttribute("data-duration"), 10);
      var ring = timer.querySelector("[data-countdown-ring]");
      if (ring && duration > 0) {
        var spent = Math.min(Math.max(100 - leftMs / (10 * duration), 0), 100);
        ring.setAttribute("stroke-dashoffset", spent.toFixed(1));
      }
      timer.classList.toggle("is-ending", left <= 5);
      var value = timer.querySelector("[data-countdown-value]");
      if (left > 0) {
        if (value && value.textContent !== String(left)) value.textContent = String(left);
        return;
      }
      // At zero the form closes here too; the server refuses anything later anyway.
      timer.removeAttribute("data-deadline");
      var text = timer.querySelector(".countdown-text") || timer;
      text.textContent = "Time's up";
      var form = document.querySelector("[data-answer-form]");
      if (form) form.querySelectorAll("input, select, button, fieldset").forEach(function (field) { field.disabled = true; });
      // Student-paced: nobody else's action will change this screen, so fetch it now.
      if (timer.hasAttribute("data-refresh-at-zero")) refresh();
    });
  }
  document.addEventListener("htmx:load", function (event) {
    // A new stage: note each new countdown's clock at once, then show it.
    var root = event.detail && event.detail.elt;
    if (root && root.querySelectorAll) root.querySelectorAll("[data-deadline]").forEach(skew);
    tick();
  });
  document.querySelectorAll("[data-deadline]").forEach(skew);
  window.setInterval(tick, 250);
  document.addEventListener("visibilitychange", tick);

  // The projector. A clicker sends Page Down or the arrow keys: they press the stage's main button
  // (Start, Reveal, Leaderboard, Next question, Show the results), never End; F goes full screen.
  var NEXT_KEYS = { PageDown: true, ArrowRight: true, ArrowDown: true };
  var lastPress = 0;
  document.addEventListener("keydown", function (event) {
    var host = document.querySelector("[data-host-stage]");
    if (!host || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.repeat) return;
    var target = event.target;
    if (target && target.closest && target.closest("input, select, textarea, [contenteditable], details[open]")) return;
    if (NEXT_KEYS[event.key]) {
      var next = host.querySelector("button[data-next]:not([disabled])");
      if (!next) return;
      event.preventDefault();
      // Some clickers send a key twice: one step per half second.
      if (Date.now() - lastPress < 500) return;
      lastPress = Date.now();
      next.click();
    } else if (event.key === "f" || event.key === "F") {
      toggleFullscreen();
    }
  });

  function toggleFullscreen() {
    if (!document.fullscreenEnabled) return;
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else {
      var asked = document.documentElement.requestFullscreen();
      if (asked && asked.catch) asked.catch(function () {});
    }
  }
  var fullscreen = document.querySelector("[data-fullscreen]");
  if (fullscreen && document.fullscreenEnabled) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", toggleFullscreen);
    document.addEventListener("fullscreenchange", function () {
      fullscreen.setAttribute("aria-pressed", String(Boolean(document.fullscreenElement)));
    });
  }

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
      .fetch(sending.url, { method: "POST", body: sending.body, headers: sending.headers, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 503) return retryLater(response.headers.get("Retry-After"));
        if (pending === sending) pending = null;
      });
  }

  // The server too busy to write for a moment (503 with Retry-After; nothing was saved): the
  // answer is sent again when it says, until it is taken; then the stage is redrawn.
  function retryLater(seconds) {
    var wait = Math.min(Math.max(parseInt(seconds, 10) || 3, 1), 30) * 1000;
    window.setTimeout(function () {
      resend().then(function () {
        if (!pending) {
          setOffline(false);
          refresh();
        }
      });
    }, wait);
  }

  function keep(event) {
    // What htmx sent: with the tile that was tapped (a submit button's value is not in the form's own data).
    var config = event.detail.requestConfig || {};
    var headers = { "HX-Request": "true" };
    if (config.headers && config.headers["X-CSRFToken"]) headers["X-CSRFToken"] = config.headers["X-CSRFToken"];
    pending = { url: event.detail.elt.action, body: config.formData || new FormData(event.detail.elt), headers: headers };
  }

  var wasOffline = false;
  document.addEventListener("htmx:sendError", function (event) {
    if (fromAnswer(event)) keep(event);
    if (fromPoll(event) || fromAnswer(event)) {
      wasOffline = true;
      setOffline(true);
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (fromAnswer(event) && xhr && xhr.status === 503) {
      keep(event);
      setOffline(true);
      retryLater(xhr.getResponseHeader("Retry-After"));
      return;
    }
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
  var kept = { open: [], focus: null, wasNext: false };
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target !== stage()) return;
    kept.open = Array.prototype.map.call(stage().querySelectorAll("details[open][id]"), function (el) { return el.id; });
    var active = document.activeElement;
    kept.focus = active && active.id && stage().contains(active) ? active.id : null;
    kept.wasNext = Boolean(kept.focus && active.hasAttribute("data-next"));
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
      // A keyboard user on the main button goes on to the next stage's: Enter, Enter… runs the quiz.
      if (!target && kept.wasNext) target = el.querySelector("button[data-next]");
      if (target) target.focus();
    }
    kept = { open: [], focus: null, wasNext: false };
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
