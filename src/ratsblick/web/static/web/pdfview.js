// The pages of a PDF as images beside their text (progressive enhancement:
// without JavaScript, or when pdf.js cannot read the file, the text stays
// alone and the copy can be downloaded). pdf.js is served by us.

const documentView = document.querySelector(".document[data-pdf]");
if (documentView) {
  enhance(documentView);
}

function enhance(view) {
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "toggle-images";
  toggle.textContent = "Originalseiten neben dem Text zeigen";
  toggle.setAttribute("aria-pressed", "false");
  view.before(toggle);

  let pdf = null;

  async function open() {
    const pdfjs = await import(view.dataset.pdfjs);
    pdfjs.GlobalWorkerOptions.workerSrc = view.dataset.worker;
    return pdfjs.getDocument({ url: view.dataset.pdf, isEvalSupported: false }).promise;
  }

  async function show(on) {
    toggle.setAttribute("aria-pressed", String(on));
    view.classList.toggle("with-images", on);
    if (!on || pdf) {
      return;
    }
    try {
      pdf = await open();
    } catch (error) {
      console.warn("pdf.js:", error);
      view.classList.remove("with-images");
      toggle.disabled = true;
      toggle.textContent = "Die Originalseiten lassen sich hier nicht anzeigen.";
      return;
    }
    // Pages are drawn when they come near the screen: a long file costs
    // only what is looked at.
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            draw(pdf, entry.target);
          }
        }
      },
      { rootMargin: "800px 0px" },
    );
    for (const slot of view.querySelectorAll(".page-image")) {
      observer.observe(slot);
    }
  }

  toggle.addEventListener("click", () => show(toggle.getAttribute("aria-pressed") !== "true"));
  show(window.matchMedia("(min-width: 64rem)").matches);
}

async function draw(pdf, slot) {
  const number = Number(slot.dataset.page);
  if (!(number >= 1 && number <= pdf.numPages)) {
    return;
  }
  const page = await pdf.getPage(number);
  const natural = page.getViewport({ scale: 1 });
  const width = slot.clientWidth || natural.width;
  const viewport = page.getViewport({ scale: (width / natural.width) * (window.devicePixelRatio || 1) });
  const canvas = document.createElement("canvas");
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `Seite ${number} des Originals`);
  slot.append(canvas);
  await page.render({ canvasContext: canvas.getContext("2d"), viewport }).promise;
}
