// What a screen reader or a keyboard needs that the stock widgets leave out.
//
// A slider's handle (noUiSlider, in ipywidgets' sliders) is what takes the focus
// and the arrow keys, but nothing names it: it gets the slider's own label, so a
// screen reader says "Gap weight, slider, 1" rather than "slider, 1".

//
// A box that scrolls sideways (a wide table on a phone) takes the focus, so the
// keyboard can scroll it too.

const HANDLE = ".widget-slider .noUi-handle";
const SCROLLER = ".widget-html-content, .widget-box, .ck-table-wrap";

/** The words of the label beside a slider widget, or "". */
function sliderLabel(handle) {
  const slider = handle.closest(".widget-slider");
  const label = slider && slider.querySelector(":scope > .widget-label");
  return label ? label.textContent.trim() : "";
}

/** Name every slider handle in ``root`` after its slider. */
function nameHandles(root) {
  root.querySelectorAll(HANDLE).forEach((handle) => {
    const words = sliderLabel(handle);
    if (words && handle.getAttribute("aria-label") !== words) {
      handle.setAttribute("aria-label", words);
    }
  });
}

/** Let the keyboard reach every box in ``root`` whose content is wider than it. */
function reachScrollers(root) {
  root.querySelectorAll(SCROLLER).forEach((box) => {
    const wide = box.scrollWidth > box.clientWidth + 1;
    const scrolls = ["auto", "scroll"].includes(getComputedStyle(box).overflowX);
    if (wide && scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.dataset.ckScroller = "1";
    } else if (!wide && box.dataset.ckScroller) {
      box.removeAttribute("tabindex");
      delete box.dataset.ckScroller;
    }
  });
}

/** The tab the keyboard lands on in a row of tabs is the open one (Lumino keeps
 * it on the first tab when another is opened with the mouse). While the keyboard
 * is in the row its arrow keys move it, as Lumino does. */
function currentTabFirst(root) {
  root.querySelectorAll(".lm-TabBar-content").forEach((row) => {
    const open = row.querySelector(":scope > .lm-TabBar-tab.lm-mod-current");
    if (!open || open.getAttribute("tabindex") === "0" || row.contains(document.activeElement)) {
      return;
    }
    row.querySelectorAll(':scope > [tabindex="0"]').forEach((tab) => {
      tab.setAttribute("tabindex", "-1");
    });
    open.setAttribute("tabindex", "0");
  });
}

function label(root) {
  nameHandles(root);
  reachScrollers(root);
  currentTabFirst(root);
}

/** Keep naming slider handles and opening wide boxes to the keyboard as the page
 * shows them (and when the window changes size). */
export function nameControls(root) {
  label(root);
  window.addEventListener("resize", () => label(root));
  let pending = 0;
  new MutationObserver(() => {
    if (!pending) {
      pending = window.setTimeout(() => {
        pending = 0;
        label(root);
      }, 200);
    }
  }).observe(root, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    attributeFilter: ["class"], // a tab opened
  });
}
