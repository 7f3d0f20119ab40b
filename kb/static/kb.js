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
  // The paragraph a link landed on (#pN), or else the first one with a mark, is outlined.
  let marked = null;
  try {
    marked = document.querySelector(location.hash ? location.hash : ".para.marked");
  } catch (err) {
    marked = null;  // a hash that is not a valid selector
  }
  if (marked && marked.classList.contains("para")) marked.classList.add("target");
  // The "Refine" disclosure of the search page is unfolded on wide screens: by CSS where it can style
  // ::details-content, here elsewhere (there, without JavaScript, its summary stays and opens it).
  const refine = document.querySelector("details.refine");
  if (refine && !(window.CSS && CSS.supports("selector(::details-content)"))) {
    const wide = window.matchMedia("(min-width: 761px)");
    const follow = () => { refine.open = wide.matches; };
    follow();
    wide.addEventListener("change", follow);
  }
  // The interface-language switch keeps the paragraph the reader is on (#pN), which a server never sees.
  for (const link of document.querySelectorAll("a[data-ui]")) {
    link.addEventListener("click", () => {
      if (/^#p\d+$/.test(location.hash)) link.hash = location.hash;
    });
  }
});
