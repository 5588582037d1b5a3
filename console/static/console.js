// Keeps the case queue up to date (every second) without reloading the page.
"use strict";
(function () {
  const table = document.querySelector("table[data-refresh]");
  if (!table) return;
  const rows = document.getElementById("queue-rows");
  async function refresh() {
    try {
      const response = await fetch(table.dataset.refresh, { credentials: "same-origin", redirect: "manual" });
      if (!response.ok) {
        window.location.reload();  // signed out (or the session ended): show the sign-in page
        return;
      }
      if (response.headers.get("content-type").startsWith("text/html")) {
        const html = await response.text();
        if (rows.innerHTML.trim() !== html.trim()) rows.innerHTML = html;  // our own escaped template
      }
    } catch (error) { /* try again next time */ }
  }
  setInterval(refresh, 1000);
})();
