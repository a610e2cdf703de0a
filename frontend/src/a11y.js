// What a screen reader or a keyboard needs that the stock widgets leave out.
//
// A slider's handle (noUiSlider, in ipywidgets' sliders) is what takes the focus
// and the arrow keys, but nothing names it: it gets the slider's own label, so a
// screen reader says "Gap weight, slider, 1" rather than "slider, 1".

const HANDLE = ".widget-slider .noUi-handle";

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

/** Keep naming the handles of sliders as the page shows them. */
export function nameControls(root) {
  nameHandles(root);
  let pending = 0;
  new MutationObserver(() => {
    if (!pending) {
      pending = window.setTimeout(() => {
        pending = 0;
        nameHandles(root);
      }, 50);
    }
  }).observe(root, { childList: true, subtree: true, characterData: true });
}
