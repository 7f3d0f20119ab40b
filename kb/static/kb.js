// kb: small progressive enhancements. Everything works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Copy buttons: shown only when the Clipboard API is there; they copy the text of their `data-copy` element.
  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    const source = document.querySelector(button.dataset.copy);
    if (!source || !navigator.clipboard) continue;
    const status = button.parentElement.querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
      } catch (err) {
        button.dataset.copied = "false";
        return;
      }
      button.dataset.copied = "true";
      if (status) status.textContent = button.dataset.copiedText || "✓";
    });
  }
  // The paragraph a link landed on (#<identifier> or #pN), or else the first one with a mark, is outlined.
  const paragraphOf = (hash) => {
    let found = null;
    try {
      found = hash.length > 1 ? document.getElementById(decodeURIComponent(hash.slice(1))) : null;
    } catch (err) {
      found = null;  // a hash that is not valid percent-encoding
    }
    return found ? found.closest(".paragraphs .para") : null;
  };
  const outline = (para) => {
    for (const other of document.querySelectorAll(".para.target")) other.classList.remove("target");
    if (para) para.classList.add("target");
  };
  outline(paragraphOf(location.hash) || document.querySelector(".para.marked"));
  // Paragraph citations: the ¶ mark selects its paragraph (without JavaScript it is the paragraph's permalink, whose
  // page cites the paragraph); the Cite block then names that paragraph, in every format, from the page's data.
  const citeBlock = document.getElementById("cite-block");  // its choices are data, not an inline script (CSP)
  if (citeBlock) {
    const choices = JSON.parse(citeBlock.dataset.choices);
    const what = document.getElementById("cite-what");
    const whole = document.getElementById("cite-section");
    const marks = choices.marks;
    const fill = (value, ref, n) => (typeof value === "string"
      ? value.split(marks.ref).join(ref).split(marks.n).join(n)
      : Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, fill(inner, ref, n)])));
    const show = (ref) => {
      if (ref && !(ref in choices.paragraphs)) return false;
      const choice = ref ? fill(choices.paragraph, ref, String(choices.paragraphs[ref])) : choices.section;
      document.getElementById("cite-link").value = choice.permalink;
      for (const key of ["plain", "bibtex", "ris", "csl"]) document.getElementById("cite-" + key).textContent = choice[key];
      for (const ext of ["ris", "bib", "json"]) document.getElementById("cite-download-" + ext).href = choice.downloads[ext];
      what.textContent = ref ? what.dataset.paragraphText.replace("{n}", choice.label) : what.dataset.sectionText;
      whole.hidden = !ref;
      for (const para of document.querySelectorAll(".paragraphs .para")) {
        para.classList.toggle("selected", para.dataset.ref === ref);
      }
      return true;
    };
    const select = (ref, hash) => {
      if (!show(ref)) return;
      const url = new URL(location.href);
      url.searchParams.delete("para");  // the hash says which paragraph now
      url.hash = hash;
      history.replaceState(null, "", url);
    };
    for (const mark of document.querySelectorAll(".pilcrow[data-ref]")) {
      mark.addEventListener("click", (event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        const para = mark.closest(".para");
        select(mark.dataset.ref, para.id);
        outline(para);
      });
    }
    whole.addEventListener("click", (event) => {
      event.preventDefault();
      select(null, "cite");
      outline(null);
    });
    const follow = () => {
      const landed = paragraphOf(location.hash);
      if (landed) show(landed.dataset.ref);
      outline(landed || null);
    };
    if (paragraphOf(location.hash)) follow();
    window.addEventListener("hashchange", follow);
  }
  // The "Refine" disclosure of the search page is unfolded on wide screens: by CSS where it can style
  // ::details-content, here elsewhere (there, without JavaScript, its summary stays and opens it).
  const refine = document.querySelector("details.refine");
  if (refine && !(window.CSS && CSS.supports("selector(::details-content)"))) {
    const wide = window.matchMedia("(min-width: 761px)");
    const follow = () => { refine.open = wide.matches; };
    follow();
    wide.addEventListener("change", follow);
  }
  // The interface-language switch keeps the paragraph the reader is on (#k3f9a, #pN), which a server never sees.
  for (const link of document.querySelectorAll("a[data-ui]")) {
    link.addEventListener("click", () => {
      if (paragraphOf(location.hash)) link.hash = location.hash;
    });
  }
});
