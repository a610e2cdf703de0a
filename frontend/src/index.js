// coachkit's page script: connect a workbook page to its kernel and show its widgets.
//
// Voila renders each cell's outputs into the page as JSON
// (<script type="application/vnd.voila.cell-output+json">). Voila's own page script
// is the JupyterLab application: about 100 files and 5 MB of script, which take a
// second of the browser's time before the first widget shows. A workbook needs
// none of it but the widgets, so this script does only what that takes:
//
//   1. connect to the page's kernel (its id is in #jupyter-config-data);
//   2. ask the kernel for every widget's state at once (ipywidgets' control comm);
//   3. put each output in place of its JSON: a widget's view, or plain text.
//
// Widgets come from ipywidgets' own packages (base and controls) and coachkit's
// chart (a Vega spec the page draws, with coachkit-charts.js, loaded when a page
// first shows one); a widget from any other package shows a short message
// instead. Text is always set as text.
// Closing the page asks the server to stop its kernel, as Voila's page does.
// A page that loses its kernel says so and keeps what was typed (faults.js,
// kept.js); a file upload states its size limit before sending (upload.js).
import { shims } from "@jupyter-widgets/base";
import * as base from "@jupyter-widgets/base";
import * as controls from "@jupyter-widgets/controls";
import { ManagerBase } from "@jupyter-widgets/base-manager";
import { CommsOverSubshells } from "@jupyterlab/services/lib/kernel/comm";
import { KernelConnection } from "@jupyterlab/services/lib/kernel/default";
import { ServerConnection } from "@jupyterlab/services/lib/serverconnection";
import { Widget } from "@lumino/widgets";
import { nameControls } from "./a11y";
import { PageGuard } from "./faults";
import { Keeper } from "./kept";
import { FileUploadView } from "./upload";
import "@jupyter-widgets/base/css/index.css";
import "@jupyter-widgets/controls/css/widgets-base.css";

const OUTPUT = 'script[type="application/vnd.voila.cell-output+json"]';
const VIEW = "application/vnd.jupyter.widget-view+json";
const STDERR = "application/vnd.jupyter.stderr";
const NOT_SHOWN = "This part of the page could not be shown.";
const NOT_DRAWN = "This chart could not be drawn.";
// The chart library sits next to this script (same folder, same ?v= stamp).
const CHARTS_URL = document.currentScript
  ? document.currentScript.src.replace("coachkit-page.js", "coachkit-charts.js")
  : "";
let vega = null;

/** Vega, from coachkit-charts.js; loaded once, the first time a chart shows. */
function loadVega() {
  if (!vega) {
    vega = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = CHARTS_URL;
      script.onload = () => resolve(window.coachkitVega);
      script.onerror = () => reject(new Error(`could not load ${CHARTS_URL}`));
      document.head.appendChild(script);
    });
  }
  return vega;
}

class ChartModel extends base.DOMWidgetModel {
  defaults() {
    return {
      ...super.defaults(),
      _model_name: "ChartModel",
      _model_module: "coachkit",
      _view_name: "ChartView",
      _view_module: "coachkit",
      spec: {},
    };
  }
}

/**
 * A chart the page draws as SVG from the kernel's Vega spec. A redraw (the rep
 * changed) swaps the new picture in once it is drawn, so the old one stays until
 * then; text in the chart is SVG text, and a tooltip a title attribute.
 */
class ChartView extends base.DOMWidgetView {
  render() {
    this.el.classList.add("coachkit-chart");
    this.turn = 0;
    this.listenTo(this.model, "change:spec", this.draw);
    this.draw();
  }

  async draw() {
    const turn = ++this.turn;
    try {
      const { View, parse } = await loadVega();
      const box = document.createElement("div");
      const view = new View(parse(this.model.get("spec")), { renderer: "svg", container: box });
      await view.runAsync();
      if (turn !== this.turn || this.isRemoved) {
        view.finalize();
        return;
      }
      if (this.view) {
        this.view.finalize();
      }
      this.view = view;
      this.el.replaceChildren(box);
    } catch (err) {
      console.error("coachkit: a chart could not be drawn", err);
      this.el.textContent = NOT_DRAWN;
    }
  }

  remove() {
    this.isRemoved = true;
    if (this.view) {
      this.view.finalize();
    }
    return super.remove();
  }
}

/** What a widget from another package shows instead of itself. */
class NotShownView extends base.DOMWidgetView {
  render() {
    this.el.classList.add("coachkit-not-shown");
    this.el.textContent = NOT_SHOWN;
  }
}

const MODULES = {
  "@jupyter-widgets/base": base,
  "@jupyter-widgets/controls": { ...controls, FileUploadView },
  coachkit: { ChartModel, ChartView },
};

class WidgetManager extends ManagerBase {
  constructor(kernel) {
    super();
    this.kernel = kernel;
    kernel.registerCommTarget(this.comm_target_name, (comm, msg) =>
      this.handle_comm_open(new shims.services.Comm(comm), msg),
    );
  }

  async loadClass(className, moduleName) {
    const module = MODULES[moduleName];
    if (!module || !module[className]) {
      throw new Error(`no widget ${className} from ${moduleName} on this page`);
    }
    return module[className];
  }

  // A widget from another package keeps its state in a plain model and shows
  // NOT_SHOWN; the console says which one it was.
  async loadModelClass(className, moduleName, moduleVersion) {
    try {
      return await this.loadClass(className, moduleName, moduleVersion);
    } catch (err) {
      console.error("coachkit:", err.message);
      return base.DOMWidgetModel;
    }
  }

  async loadViewClass(className, moduleName, moduleVersion) {
    try {
      return await this.loadClass(className, moduleName, moduleVersion);
    } catch (err) {
      console.error("coachkit:", err.message);
      return NotShownView;
    }
  }

  async _create_comm(targetName, modelId, data, metadata, buffers) {
    const comm = this.kernel.createComm(targetName, modelId);
    if (data || metadata) {
      comm.open(data, metadata, buffers);
    }
    return new shims.services.Comm(comm);
  }

  async _get_comm_info() {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === "ok" ? reply.content.comms : {};
  }

  // Every widget's state in one round trip (ipywidgets 8's control comm); falls
  // back to one request per widget for a kernel without it.
  load() {
    return this._loadFromKernel();
  }

  /** Whether the kernel still has this page's widgets (false after a restart). */
  async knowsPage() {
    const ids = Object.keys(this._models || {});
    if (!ids.length) {
      return true;
    }
    const comms = await this._get_comm_info();
    return ids.some((id) => id in comms); // a restarted kernel knows none
  }
}

/** The page's configuration, which Voila writes once the kernel is started. */
function pageConfig() {
  const el = document.getElementById("jupyter-config-data");
  try {
    return el ? JSON.parse(el.textContent || "{}") : {};
  } catch (err) {
    return {};
  }
}

function joined(text) {
  return Array.isArray(text) ? text.join("") : text || "";
}

/** An output that is not a widget, as plain text: [text, its mime type]. */
function plainText(output) {
  if (output.output_type === "error") {
    return [joined(output.traceback ? output.traceback.join("\n") : output.evalue), STDERR];
  }
  if (output.output_type === "stream") {
    return [joined(output.text), output.name === "stderr" ? STDERR : "text/plain"];
  }
  return [joined((output.data || {})["text/plain"]), "text/plain"];
}

function textBlock(area, text, mime) {
  const pre = document.createElement("pre");
  // Tracebacks carry terminal colour codes.
  // eslint-disable-next-line no-control-regex
  pre.textContent = text.replace(/\x1b\[[0-9;]*m/g, "");
  area.dataset.mimeType = mime;
  area.appendChild(pre);
}

async function show(manager, script) {
  let output = {};
  try {
    output = JSON.parse(script.textContent || "{}");
  } catch (err) {
    console.error("coachkit: an output of this page is not JSON", err);
  }
  const area = document.createElement("div");
  area.className = "jp-OutputArea-output";
  script.replaceWith(area);
  const view = output.data && output.data[VIEW];
  if (!view || !view.model_id) {
    const [text, mime] = plainText(output);
    textBlock(area, text, mime);
    return;
  }
  area.dataset.mimeType = VIEW;
  try {
    const model = await manager.get_model(view.model_id);
    const widget = await manager.create_view(model);
    Widget.attach(widget.luminoWidget, area);
  } catch (err) {
    console.error("coachkit: a widget could not be shown", err);
    area.classList.add("coachkit-not-shown");
    textBlock(area, NOT_SHOWN, STDERR);
  }
}

/** Resolves once the kernel's WebSocket is open; fails if it gives up. */
function connected(kernel) {
  return new Promise((resolve, reject) => {
    if (kernel.connectionStatus === "connected") {
      resolve();
      return;
    }
    const wait = (_, status) => {
      if (status === "connected" || status === "disconnected") {
        kernel.connectionStatusChanged.disconnect(wait);
        if (status === "connected") {
          resolve();
        } else {
          reject(new Error("the page cannot reach its kernel"));
        }
      }
    };
    kernel.connectionStatusChanged.connect(wait);
  });
}

/** Closing the page stops its kernel; the server checks the _xsrf cookie. */
function stopKernelOnClose(baseUrl, kernel) {
  window.addEventListener("beforeunload", () => {
    const form = new FormData();
    const xsrf = document.cookie.match("\\b_xsrf=([^;]*)\\b");
    form.append("_xsrf", (xsrf && xsrf[1]) || "");
    navigator.sendBeacon(`${baseUrl}voila/api/shutdown/${encodeURIComponent(kernel.id)}`, form);
    kernel.dispose();
  });
}

/** Take the loading text away and show the cells (the template's helper). */
function showCells() {
  window.themeLoaded = true;
  if (window.display_cells) {
    window.display_cells();
  }
}

async function start() {
  const scripts = Array.from(document.querySelectorAll(OUTPUT));
  const config = pageConfig();
  const cells = document.getElementById("rendered_cells") || document.body;
  // Keyed by the workbook, not the address: a page writes what it shows (the rep,
  // the tab) into its query as the coach goes.
  const keeper = new Keeper(window.location.pathname);
  const guard = new PageGuard(keeper, cells);
  if (!config.kernelId) {
    // A page without a kernel (a build error before it started): text only.
    showCells();
    await Promise.all(scripts.map((script) => show(null, script)));
    return;
  }
  const baseUrl = config.baseUrl || "/";
  const kernel = new KernelConnection({
    model: { id: config.kernelId, name: "python3" },
    serverSettings: ServerConnection.makeSettings({ baseUrl }),
  });
  // Widget messages go to the kernel's main thread, as in Voila's own page: the
  // workbooks' handlers are not written to run beside each other on subshells.
  kernel.commsOverSubshells = CommsOverSubshells.Disabled;
  stopKernelOnClose(baseUrl, kernel);
  const manager = new WidgetManager(kernel);
  await connected(kernel);
  guard.watch(kernel, () => manager.knowsPage());
  await manager.load();
  showCells();
  await Promise.all(scripts.map((script) => show(manager, script)));
  keeper.listen(cells);
  nameControls(cells);
  guard.restoreKept();
  guard.mirrorErrors();
}

start().catch((err) => {
  console.error("coachkit: the page could not start", err);
  showCells();
});
