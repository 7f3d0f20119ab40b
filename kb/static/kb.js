// kb: small progressive enhancements. Everything works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    const source = document.querySelector(button.dataset.copy);
    if (!source || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.dataset.copied = "true";
      button.textContent = button.textContent.replace(/…$/, "") + " ✓";
    });
  }
  const marked = document.querySelector(location.hash ? location.hash : ".para.marked");
  if (marked && marked.classList.contains("para")) marked.classList.add("target");
});
