// Site-wide behaviour. Kept in a static file: the Content-Security-Policy allows no inline scripts.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) {
    event.target.form.submit();
  }
});
