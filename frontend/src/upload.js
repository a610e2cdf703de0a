// ipywidgets' file upload, with a size limit the page states before it sends.
//
// The server closes a page's connection, without a word, on a message bigger than
// it accepts (coachkit.web.serve.UPLOAD_LIMIT_BYTES, plus room for the message
// around the file); later uploads then go nowhere. So a file over the limit is
// never sent: the button says why, and the page keeps working.
import * as controls from "@jupyter-widgets/controls";

// Keep in step with UPLOAD_LIMIT_BYTES in coachkit/web/serve.py (a test checks).
export const UPLOAD_LIMIT_BYTES = 200 * 1024 * 1024;

function megabytes(size) {
  return `${(size / (1024 * 1024)).toFixed(1)} MB`;
}

export class FileUploadView extends controls.FileUploadView {
  render() {
    super.render();
    // Before the file is even read: a capturing listener on the input runs ahead
    // of the view's own, which reads the file and sends it.
    this.fileInput.addEventListener(
      "change",
      (event) => {
        const files = Array.from(this.fileInput.files || []);
        const total = files.reduce((sum, file) => sum + file.size, 0);
        if (total > UPLOAD_LIMIT_BYTES) {
          event.stopImmediatePropagation();
          this.tooBig(files.map((file) => file.name), total);
          this.fileInput.value = "";
        }
      },
      true,
    );
  }


  // The view reads the chosen files, sets them on the model and calls touch() to
  // send them: a file over the limit is taken back here, before it is sent.
  touch() {
    const files = this.model.get("value") || [];
    const total = files.reduce((sum, file) => sum + (file.size || 0), 0);
    if (total > UPLOAD_LIMIT_BYTES) {
      this.tooBig(files.map((file) => file.name), total);
      return;
    }
    this.refuse("");
    super.touch();
  }

  /** Say why nothing was sent, and let go of any file chosen before. */
  tooBig(names, total) {
    this.model.set({ value: [] });
    super.touch(); // the kernel forgets the earlier file: Import cannot import it
    this.refuse(
      `${names.join(", ")} is ${megabytes(total)}, more than this page takes ` +
        `(${megabytes(UPLOAD_LIMIT_BYTES)}). Nothing was sent. Bring it in on the ` +
        "command line instead: coachkit import KIND FILE.",
    );
  }

  refuse(text) {
    let note = this.note;
    if (!text) {
      if (note) {
        note.remove();
        this.note = null;
      }
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "coachkit-upload-refused";
      note.setAttribute("role", "alert");
      this.note = note;
    }
    note.textContent = text;
    // Beside the button, in the widget's row (the button cannot hold it).
    const row = this.el.closest(".widget-hbox") || this.el.parentNode;
    if (row && row.parentNode) {
      row.parentNode.insertBefore(note, row.nextSibling);
    }
  }

  remove() {
    this.refuse("");
    return super.remove();
  }
}
