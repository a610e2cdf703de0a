// When a page can no longer save, it says so at once, where the coach is looking.
//
// A kernel that crashed is restarted by the server under the same id, but the new
// one knows nothing of this page's widgets: every keystroke and button would go
// nowhere. So the page watches its kernel: a status of "restarting",
// "autorestarting" or "dead", a connection that is given up, or a reconnection
// after which the kernel no longer knows the page's widgets, each means the page
// is lost. Then a bar at the top of the window says so and stays in view, the
// controls are dimmed and refuse to act (saying why when pressed), what was typed
// is kept in this browser (kept.js), and a button opens a fresh page that puts it
// back.
//
// An error the workbook shows in its status line (the store is gone, a save was
// refused) is also shown in a bar at the top of the window while the status line
// is scrolled out of view and no error beside a field is in view.

const LOST_KERNEL =
  "This page has stopped working: its kernel stopped and coachkit started a new " +
  "one, which does not know this page. Nothing you type or press here is saved " +
  "any more.";
const LOST_CONNECTION =
  "This page lost its connection to coachkit. Nothing you type or press here is " +
  "saved any more.";
const RECONNECTING =
  "The connection to coachkit was interrupted; trying again. What you type is " +
  "kept in this browser meanwhile.";
const PRESSED_AFTER =
  "That was not saved: this page can no longer save anything. Open a fresh page " +
  "to carry on.";
const CONTROLS = "button, select, input[type=checkbox], input[type=radio], input[type=file]";

function bar(id, kind) {
  let el = document.getElementById(id);
  if (!el) {
    el = document.createElement("div");
    el.id = id;
    el.className = `coachkit-fault coachkit-fault-${kind}`;
    el.setAttribute("role", kind === "info" ? "status" : "alert");
    document.body.insertBefore(el, document.body.firstChild);
  }
  return el;
}

function button(label, onClick) {
  const el = document.createElement("button");
  el.type = "button";
  el.textContent = label;
  el.addEventListener("click", onClick);
  return el;
}

function paragraph(text, className) {
  const p = document.createElement("p");
  p.textContent = text;
  if (className) {
    p.className = className;
  }
  return p;
}

function fields(count) {
  return count === 1 ? "1 field" : `${count} fields`;
}

/** Watches a page's kernel and connection; says when the page is lost. */
export class PageGuard {
  constructor(keeper, root) {
    this.keeper = keeper;
    this.root = root;
    this.isLost = false;
    this.leaving = false;
    window.addEventListener("beforeunload", () => {
      this.leaving = true;
    });
  }

  /** Follow ``kernel``; ``knowsPage()`` resolves false once it forgot the widgets. */
  watch(kernel, knowsPage) {
    kernel.statusChanged.connect((_, status) => {
      if (status === "restarting" || status === "autorestarting" || status === "dead") {
        this.lost(LOST_KERNEL);
      }
    });
    let wasConnected = kernel.connectionStatus === "connected";
    kernel.connectionStatusChanged.connect((_, status) => {
      if (this.leaving || this.isLost) {
        return;
      }
      if (status === "connected") {
        if (wasConnected) {
          // Back after an interruption: the same kernel, or a restarted one?
          knowsPage().then(
            (knows) => (knows ? this.clear("coachkit-reconnecting") : this.lost(LOST_KERNEL)),
            () => this.lost(LOST_CONNECTION),
          );
        }
        wasConnected = true;
      } else if (status === "connecting" && wasConnected) {
        const el = bar("coachkit-reconnecting", "info");
        el.replaceChildren(paragraph(RECONNECTING));
      } else if (status === "disconnected") {
        this.lost(LOST_CONNECTION);
      }
    });
  }

  /** The page can no longer save: say so, keep what was typed, stop the controls. */
  lost(why) {
    if (this.isLost || this.leaving) {
      return;
    }
    this.isLost = true;
    this.clear("coachkit-reconnecting");
    this.clear("coachkit-problem");
    const kept = this.keeper.keep();
    document.body.classList.add("coachkit-lost");
    for (const field of this.root.querySelectorAll("textarea, input")) {
      field.readOnly = true;
    }
    // Pressing anything says why nothing happens, instead of doing nothing.
    for (const kind of ["mousedown", "click"]) {
      this.root.addEventListener(
        kind,
        (event) => {
          if (event.target.closest && event.target.closest(CONTROLS)) {
            event.preventDefault();
            event.stopPropagation();
            if (kind === "click") {
              this.pressedAfter();
            }
          }
        },
        true,
      );
    }
    for (const kind of ["change", "keydown"]) {
      this.root.addEventListener(kind, (event) => event.stopPropagation(), true);
    }
    const el = bar("coachkit-lost", "lost");
    const saved = kept
      ? `What you typed on this page (${fields(kept)}) is kept in this browser: ` +
        "a fresh page puts it back into the same fields."
      : "Everything saved before now is kept.";
    el.replaceChildren(
      paragraph(why),
      paragraph(saved),
      button(kept ? "Open a fresh page with what I typed" : "Open a fresh page", () =>
        window.location.reload(),
      ),
    );
  }

  pressedAfter() {
    const el = document.getElementById("coachkit-lost");
    if (!el) {
      return;
    }
    let again = el.querySelector(".coachkit-pressed");
    if (!again) {
      again = paragraph(PRESSED_AFTER, "coachkit-pressed");
      el.insertBefore(again, el.querySelector("button"));
    }
    el.classList.remove("coachkit-flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("coachkit-flash");
    el.querySelector("button").focus();
  }

  clear(id) {
    const el = document.getElementById(id);
    if (el) {
      el.remove();
    }
  }

  /** Put back what a page that stopped kept, and tell the coach. */
  restoreKept() {
    const told = (done, left) => {
      const el = bar("coachkit-restored", "info");
      const parts = [];
      if (done) {
        parts.push(
          paragraph(
            `coachkit put back what you typed before the page stopped (${fields(done)}). ` +
              "Check it: it is saved as you go again.",
          ),
        );
      }
      if (left.length) {
        const where = left
          .map((entry) => [entry.label, entry.tab && `tab ${entry.tab}`, entry.rep && `rep ${entry.rep}`]
            .filter(Boolean)
            .join(", "))
          .filter((text, i, all) => all.indexOf(text) === i)
          .join("; ");
        parts.push(
          paragraph(
            `Kept from a page that stopped, not yet back: ${fields(left.length)} ` +
              `(${where}). It goes back when you open that tab for that rep.`,
          ),
          button("Forget it", () => {
            this.keeper.discard();
            el.remove();
          }),
        );
      } else {
        parts.push(button("Close", () => el.remove()));
      }
      el.replaceChildren(...parts);
    };
    this.keeper.restore(this.root, told);
  }

  /** Show the status line's error at the top of the window while it is out of view. */
  mirrorErrors() {
    let inView = true;
    let dismissed = "";
    const update = () => {
      if (this.isLost) {
        return;
      }
      const error = this.root.querySelector(".ck-status-line .ck-status-error");
      const text = error ? error.textContent.trim() : "";
      if (!text || inView || text === dismissed || this.errorInView()) {
        this.clear("coachkit-problem");
        return;
      }
      const el = bar("coachkit-problem", "problem");
      if (el.dataset.text !== text) {
        el.dataset.text = text;
        el.replaceChildren(
          paragraph(text),
          button("Close", () => {
            dismissed = text;
            el.remove();
          }),
        );
      }
    };
    const watchLine = () => {
      const line = this.root.querySelector(".ck-status-line");
      if (!line) {
        return false;
      }
      new IntersectionObserver((entries) => {
        inView = entries[entries.length - 1].isIntersecting;
        update();
      }).observe(line);
      return true;
    };
    const observer = new MutationObserver(() => {
      if (!this.watching) {
        this.watching = watchLine();
      }
      update();
    });
    observer.observe(this.root, { childList: true, subtree: true, characterData: true });
    this.watching = watchLine();
    // The page scrolls a new message into view (coachkit.js); look again then.
    let queued = false;
    window.addEventListener(
      "scroll",
      () => {
        if (!queued) {
          queued = true;
          window.requestAnimationFrame(() => {
            queued = false;
            update();
          });
        }
      },
      { passive: true },
    );
  }

  /** Whether an error beside a field (not the status line's) is in the window. */
  errorInView() {
    return [...this.root.querySelectorAll("[role=alert]")].some((el) => {
      if (el.closest(".ck-status-line, .coachkit-fault") || !el.textContent.trim()) {
        return false;
      }
      const box = el.getBoundingClientRect();
      return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
    });
  }
}
