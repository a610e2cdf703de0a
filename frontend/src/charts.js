// The chart library of coachkit's pages (Vega), in a file of its own: the page
// script loads it the first time a page shows a chart the page draws, so pages
// without such a chart never pay for it. The kernel sends each chart as a Vega
// spec with its data inside (compiled from Vega-Lite by vl-convert, the same
// Vega version: package.json pins it to vl-convert's). Nothing here fetches.
import { View, parse } from "vega";

window.coachkitVega = { View, parse };
