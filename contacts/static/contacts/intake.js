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
  if (form.querySelector(".is-invalid, .invalid-feedback, [data-warnings]")) {
    dirty = true;
  }

  // --- Contact type first: a digit key picks a type and moves on. ---
  // A non-counselling contact (silent, hang-up, prank, ...) needs only channel, start and
  // type: the sections it does not need are hidden and their inputs disabled, so nothing
  // hidden is sent. The focus then goes to the main theme, or straight to Save.
  const typeGroup = form.querySelector("[data-contact-type]");
  const counsellingOnly = [...form.querySelectorAll("[data-counselling-only]")];
  const chosenType = () => typeGroup && typeGroup.querySelector("input:checked");
  const applyType = () => {
    const chosen = chosenType();
    const counselling = !chosen || chosen.dataset.counselling !== "0";
    counsellingOnly.forEach((section) => {
      section.hidden = !counselling;
      // The formset's management form (hidden inputs) is always sent.
      section.querySelectorAll("input:not([type=hidden]), select, textarea, button").forEach((input) => {
        input.disabled = !counselling;
      });
    });
    return counselling;
  };
  const focusAfterType = (counselling) => {
    if (!counselling) {
      save.focus();
      return;
    }
    const theme = form.querySelector("input[name=theme]:checked") || form.querySelector("input[name=theme]");
    if (theme) {
      theme.focus();
    }
  };
  if (typeGroup) {
    typeGroup.addEventListener("change", () => applyType());
    typeGroup.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || !/^[0-9]$/.test(event.key)) {
        return;
      }
      const option = typeGroup.querySelector(`input[data-key="${event.key}"]`);
      if (option) {
        event.preventDefault();
        option.checked = true;
        option.dispatchEvent(new Event("change", { bubbles: true }));
        focusAfterType(applyType());
      }
    });
    applyType();
  }

  // --- A draft in this tab's sessionStorage, so that an error page loses nothing. ---
  // Kept under "intake:<owner>:<contact>", <owner> derived from the login session: another
  // login's drafts are removed on sight, logging out clears them (meldpunt.js), and a
  // successful save clears them (the page after it carries data-draft-clear).
  // The caller's number is never put in the draft.
  const DRAFT_PREFIX = "intake:";
  const draftKey = form.dataset.draftKey;
  const owner = draftKey ? draftKey.split(":")[1] : "";
  const storage = (() => {
    try {
      return window.sessionStorage;
    } catch {
      return null;
    }
  })();
  const draftKeys = () => {
    const keys = [];
    for (let i = 0; storage && i < storage.length; i += 1) {
      const key = storage.key(i);
      if (key && key.startsWith(DRAFT_PREFIX)) {
        keys.push(key);
      }
    }
    return keys;
  };
  if (storage && draftKey) {
    draftKeys()
      .filter((key) => form.hasAttribute("data-draft-clear") || key.split(":")[1] !== owner)
      .forEach((key) => storage.removeItem(key));

    const snapshot = () => {
      const values = [];
      new FormData(form).forEach((value, name) => {
        const input = form.elements.namedItem(name);
        const noDraft = input && input.dataset && input.dataset.noDraft !== undefined;
        if (name !== "csrfmiddlewaretoken" && !noDraft && typeof value === "string") {
          values.push([name, value]);
        }
      });
      return values;
    };
    const pristine = JSON.stringify(snapshot());
    let timer = null;
    let loggingOut = false;
    const keep = () => {
      if (loggingOut) {
        return;
      }
      const values = snapshot();
      if (JSON.stringify(values) !== pristine) {
        storage.setItem(draftKey, JSON.stringify(values));
      }
    };
    form.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(keep, 300);
    });
    form.addEventListener("change", keep);
    form.addEventListener("submit", keep);
    // Logging out from this page: no draft may be written after meldpunt.js removed them.
    document.addEventListener(
      "submit",
      (event) => {
        if (event.target !== form && event.target.matches("form[action$='/logout/']")) {
          loggingOut = true;
          clearTimeout(timer);
          draftKeys().forEach((key) => storage.removeItem(key));
        }
      },
      true,
    );

    const restore = (values) => {
      const totalName = `${formset ? formset.dataset.formset : "victims"}-TOTAL_FORMS`;
      const wanted = values.find(([name]) => name === totalName);
      const addVictim = form.querySelector("[data-formset-add]");
      const total = form.elements.namedItem(totalName);
      while (wanted && total && addVictim && Number(total.value) < Number(wanted[1]) && !addVictim.disabled) {
        addVictim.click();
      }
      const byName = new Map();
      values.forEach(([name, value]) => byName.set(name, [...(byName.get(name) || []), value]));
      [...form.elements].forEach((input) => {
        if (!input.name || input.name === "csrfmiddlewaretoken" || !byName.has(input.name)) {
          if (input.type === "checkbox" && input.name && !input.name.endsWith("DELETE")) {
            input.checked = false;
          }
          return;
        }
        const given = byName.get(input.name);
        if (input.type === "radio" || input.type === "checkbox") {
          input.checked = given.includes(input.value);
        } else if (input.tagName === "SELECT" && input.multiple) {
          [...input.options].forEach((option) => {
            option.selected = given.includes(option.value);
          });
        } else if (input.type !== "hidden" || input.name.endsWith("_FORMS")) {
          input.value = given[0];
        }
      });
      form.querySelectorAll("[data-formset-delete]").forEach((box) => {
        box.closest("[data-formset-row]").hidden = box.checked;
      });
      applyType();
      dirty = true;
    };

    const offer = form.querySelector("[data-draft-offer]");
    const stored = storage.getItem(draftKey);
    const freshPage = !form.querySelector(".is-invalid, .invalid-feedback, .alert-danger, [data-warnings]");
    if (offer && stored && freshPage && stored !== pristine) {
      offer.hidden = false;
      offer.querySelector("[data-draft-restore]").addEventListener("click", () => {
        restore(JSON.parse(stored));
        offer.hidden = true;
        focusAfterType(applyType());
      });
      offer.querySelector("[data-draft-discard]").addEventListener("click", () => {
        storage.removeItem(draftKey);
        offer.hidden = true;
      });
    }
  }
})();
