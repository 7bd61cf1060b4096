// Tells the reader when an htmx request fails, instead of leaving the page silently unchanged.
// Answers already stored are safe on the server: reloading shows them.
(function () {
  "use strict";
  function region() {
    return document.getElementById("request-error");
  }
  function show(message) {
    var el = region();
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
  }
  document.addEventListener("htmx:beforeRequest", function () {
    var el = region();
    if (el) el.hidden = true;
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    show(
      status === 403
        ? "Your session has expired. Reload the page and try again."
        : "Something went wrong on our side (error " + status + "). Reload the page: answers already saved are kept."
    );
  });
  document.addEventListener("htmx:sendError", function () {
    show("No connection. Check your network and try again: answers already saved are kept.");
  });
})();
