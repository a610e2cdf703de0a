// What a coach typed, kept in this browser until it is saved somewhere real.
//
// Every text box and text area of a workbook page writes what is typed into
// localStorage as it goes, keyed by the page (its address) and the field: the tab
// it sits on, the rep picked, the field's classes and label, and its place among
// fields that share all of those. When the page loses its kernel, what was typed
// is marked as kept; the next page at the same address puts it back into the same
// fields (as they appear: a tab is built when it is first opened), with input
// events so that the widgets send it to the new kernel, and says so.

const PREFIX = "coachkit:";
const FIELDS = "textarea, input[type=text], input:not([type])";

function storage() {
  try {
    return window.localStorage;
  } catch (err) {
    return null; // storage turned off in this browser
  }
}

function read(key) {
  const store = storage();
  try {
    return store ? JSON.parse(store.getItem(key) || "null") : null;
  } catch (err) {
    return null;
  }
}

function write(key, value) {
  const store = storage();
  try {
    if (store) {
      store.setItem(key, JSON.stringify(value));
    }
  } catch (err) {
    console.error("coachkit: could not keep what was typed in this browser", err);
  }
}

function remove(key) {
  const store = storage();
  if (store) {
    store.removeItem(key);
  }
}

function words(el) {
  return el ? (el.textContent || "").replace(/\s+/g, " ").trim() : "";
}

/** Where a field is: the open tab and the picked rep, as the coach sees them. */
function context(field) {
  const panel = field.closest(".ck-tabs");
  const tab = panel
    ? words(panel.querySelector(".lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel"))
    : "";
  const picker = document.querySelector(".ck-rep-picker select");
  const rep = picker && picker.selectedIndex >= 0 ? words(picker.options[picker.selectedIndex]) : "";
  return { tab, rep };
}

/** The field's name on this page: the same field on a fresh page gets the same one. */
function fieldKey(field) {
  const base = keyBase(field);
  const cells = document.getElementById("rendered_cells") || document.body;
  const same = Array.from(cells.querySelectorAll(FIELDS)).filter(
    (other) => other === field || keyBase(other) === base,
  );
  return `${base}|${same.indexOf(field)}`;
}

function widgetOf(field) {
  return field.closest(".widget-textarea, .widget-text, .widget-inline-hbox") || field;
}

function keyLabel(field) {
  return words(widgetOf(field).querySelector("label")) || field.placeholder || "a text box";
}

function keyBase(field) {
  const classes = Array.from(widgetOf(field).classList)
    .filter((name) => name.startsWith("ck-"))
    .sort()
    .join(".");
  const { tab, rep } = context(field);
  return [tab, rep, classes, keyLabel(field)].join("|");
}

function shown(field) {
  return field.offsetParent !== null && !field.disabled;
}

/**
 * What this page keeps: ``typed`` (this page, as it is typed) and ``kept`` (from a
 * page that stopped, waiting to be put back).
 */
export class Keeper {
  constructor(page) {
    this.typedKey = `${PREFIX}typed:${page}`;
    this.keptKey = `${PREFIX}kept:${page}`;
    this.typed = {};
    this.pending = null;
    this.putBack = 0;
  }

  /** Record every keystroke in a text field of ``root``. */
  listen(root) {
    remove(this.typedKey); // a new page: what an earlier one typed was saved or kept
    root.addEventListener(
      "input",
      (event) => {
        const field = event.target;
        if (!field.matches || !field.matches(FIELDS) || field.dataset.ckRestoring) {
          return;
        }
        const { tab, rep } = context(field);
        this.typed[fieldKey(field)] = { value: field.value, tab, rep, label: keyLabel(field) };
        write(this.typedKey, this.typed);
      },
      true,
    );
  }

  /** The page stopped: keep what was typed for the next page at this address. */
  keep() {
    const before = read(this.keptKey) || {};
    const kept = { ...(before.fields || {}), ...this.typed };
    if (Object.keys(kept).length) {
      write(this.keptKey, { at: new Date().toISOString(), fields: kept });
    }
    return Object.keys(kept).length;
  }

  /** What an earlier page kept, if anything: {fields, at}. */
  waiting() {
    const kept = read(this.keptKey);
    return kept && kept.fields && Object.keys(kept.fields).length ? kept : null;
  }

  /**
   * Put kept text back into its fields as they appear; ``told(done, left)`` hears
   * each time something was put back.
   */
  restore(root, told) {
    const kept = this.waiting();
    if (!kept) {
      return;
    }
    this.pending = { ...kept.fields };
    const fill = () => {
      let changed = false;
      for (const field of root.querySelectorAll(FIELDS)) {
        if (!shown(field)) {
          continue;
        }
        const key = fieldKey(field);
        const entry = this.pending[key];
        if (!entry) {
          continue;
        }
        delete this.pending[key];
        changed = true;
        if (field.value !== entry.value) {
          field.dataset.ckRestoring = "1";
          field.value = entry.value;
          field.dispatchEvent(new Event("input", { bubbles: true }));
          field.dispatchEvent(new Event("change", { bubbles: true }));
          delete field.dataset.ckRestoring;
          field.classList.add("coachkit-restored");
          this.putBack += 1;
        }
      }
      if (!changed) {
        return;
      }
      const left = Object.keys(this.pending).length;
      if (left) {
        write(this.keptKey, { ...kept, fields: this.pending });
      } else {
        remove(this.keptKey);
        observer.disconnect();
      }
      told(this.putBack, this.left());
    };
    const observer = new MutationObserver(() => window.requestAnimationFrame(fill));
    observer.observe(root, { childList: true, subtree: true, attributes: true });
    fill();
    told(this.putBack, this.left());
  }

  /** Kept fields not yet back, each as {tab, rep, label}. */
  left() {
    return Object.values(this.pending || {});
  }

  /** Forget what an earlier page kept. */
  discard() {
    this.pending = {};
    remove(this.keptKey);
  }
}
