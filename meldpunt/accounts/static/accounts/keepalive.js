// Typing or clicking in an open page is activity: it tells the server, at most every few
// minutes, so the idle timeout does not end a session while a long call is being registered.
(function () {
  "use strict";
  const script = document.currentScript;
  const url = script.dataset.keepaliveUrl;
  const interval = 5 * 60 * 1000;
  let last = Date.now();

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  function activity() {
    const now = Date.now();
    if (now - last < interval) {
      return;
    }
    last = now;
    fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
      redirect: "manual",
    }).catch(function () {});
  }

  for (const type of ["keydown", "pointerdown", "input"]) {
    document.addEventListener(type, activity, { passive: true, capture: true });
  }
})();
