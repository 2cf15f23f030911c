// Site-wide behaviour. Kept in a static file: the Content-Security-Policy allows no inline scripts.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) {
    event.target.form.submit();
  }
});
// Logging out removes the intake drafts this tab kept (contacts/static/contacts/intake.js):
// no notes stay behind in the browser.
document.addEventListener("submit", (event) => {
  if (event.target.matches("form[action$='/logout/']")) {
    try {
      Object.keys(window.sessionStorage)
        .filter((key) => key.startsWith("intake:"))
        .forEach((key) => window.sessionStorage.removeItem(key));
    } catch {
      // Storage unavailable: nothing was kept either.
    }
  }
});
