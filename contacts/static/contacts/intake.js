// The contact intake page. A static file: the Content-Security-Policy allows no inline scripts.
"use strict";

(() => {
  const form = document.querySelector("form[data-intake]");
  if (!form) {
    return;
  }

  // --- Victims: a Django formset whose rows are added and removed without a reload. ---
  // Adding copies the <template> of the empty form with the next index and raises
  // TOTAL_FORMS; removing ticks the row's DELETE checkbox and hides the row, so the
  // indices of the other rows never change.
  const formset = form.querySelector("[data-formset]");
  if (formset) {
    const prefix = formset.dataset.formset;
    const total = form.querySelector(`#id_${prefix}-TOTAL_FORMS`);
    const max = form.querySelector(`#id_${prefix}-MAX_NUM_FORMS`);
    const template = document.getElementById(`${prefix}-empty-form`);
    const body = formset.querySelector("[data-formset-body]");
    const addButton = formset.querySelector("[data-formset-add]");

    const visibleRows = () => [...body.querySelectorAll("[data-formset-row]")].filter((row) => !row.hidden);
    const renumber = () => {
      visibleRows().forEach((row, index) => {
        row.querySelector("[data-row-number]").textContent = String(index + 1);
      });
      addButton.disabled = Number(total.value) >= Number(max.value);
    };

    addButton.addEventListener("click", () => {
      const index = Number(total.value);
      if (index >= Number(max.value)) {
        return;
      }
      body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
      renumber();
      const rows = body.querySelectorAll("[data-formset-row]");
      rows[rows.length - 1].querySelector("select, input:not([type=hidden])").focus();
    });

    body.addEventListener("change", (event) => {
      if (!event.target.matches("[data-formset-delete]") || !event.target.checked) {
        return;
      }
      event.target.closest("[data-formset-row]").hidden = true;
      renumber();
      addButton.focus();
    });

    renumber();
  }

  // --- Keyboard: Ctrl+Enter (Cmd+Enter) saves from any field, the notes included. ---
  const save = form.querySelector("[data-default-submit]");
  // Alt+S, Alt+A and Alt+V in every browser: native accesskeys need Alt+Shift in Firefox
  // and are not delivered at all in some setups, so the page handles them itself.
  const shortcuts = {
    s: save,
    a: form.querySelector("button[accesskey=a]"),
    v: form.querySelector("[data-formset-add]"),
  };
  document.addEventListener("keydown", (event) => {
    const target = event.altKey && !event.ctrlKey && !event.metaKey && shortcuts[event.key.toLowerCase()];
    if (target) {
      event.preventDefault();
      target.click();
    }
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit(save);
    }
  });

  // --- Nothing typed is lost: warn before leaving with unsaved input, never save twice. ---
  let dirty = false;
  let submitting = false;
  form.addEventListener("input", () => {
    dirty = true;
  });
  form.addEventListener("change", () => {
    dirty = true;
  });
  form.addEventListener("submit", (event) => {
    if (submitting) {
      event.preventDefault();
      return;
    }
    submitting = true;
    dirty = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // A re-shown form after an error still holds unsaved input.
  if (form.querySelector(".is-invalid, .invalid-feedback")) {
    dirty = true;
  }
})();
