// After a successful save: remove the intake drafts this tab kept (see intake.js).
"use strict";

if (document.querySelector("[data-draft-clear]")) {
  try {
    Object.keys(window.sessionStorage)
      .filter((key) => key.startsWith("intake:"))
      .forEach((key) => window.sessionStorage.removeItem(key));
  } catch {
    // Storage unavailable: nothing was kept either.
  }
}
