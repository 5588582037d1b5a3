// The web chat page: no third-party code, no inline script (the CSP forbids it).
// The server names the conversation (an HttpOnly cookie); this script never sees it.
"use strict";
(function () {
  const body = document.body;
  const base = body.dataset.base;
  const log = document.getElementById("log");
  const status = document.getElementById("status");
  const form = document.getElementById("send");
  const text = document.getElementById("text");
  const headers = { "Content-Type": "application/json", "X-IV-Chat": "1" };
  const NEUTRAL_SITE = "https://www.bbc.co.uk/weather";
  let after = 0;
  let ended = false;

  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function show(message) {
    const item = document.createElement("li");
    item.className = message.from === "you" ? "you" : "us";
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = (message.from === "you" ? body.dataset.you : body.dataset.us) + " ";
    item.append(who, document.createTextNode(message.text));
    if (message.buttons && message.buttons.length) {
      const choices = document.createElement("div");
      choices.className = "choices";
      for (const choice of message.buttons) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.title;
        button.addEventListener("click", () => send({ payload: choice.payload, text: choice.title }));
        choices.append(button);
      }
      item.append(choices);
    }
    log.append(item);
    item.scrollIntoView({ block: "end" });
  }

  async function call(path, options) {
    const response = await fetch(base + path, { credentials: "same-origin", headers, ...options });
    if (response.status === 401) {
      ended = true;
      status.textContent = body.dataset.ended;
      throw new Error("ended");
    }
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  let polling = false;
  async function poll() {
    if (ended || polling) return;
    polling = true;
    try {
      const messages = await call("messages?after=" + after, { method: "GET" });
      for (const message of messages) {
        if (message.id <= after) continue;  // shown already
        show(message);
        after = message.id;
      }
      if (!ended) status.textContent = "";
    } catch (error) {
      if (!ended) status.textContent = body.dataset.offline;
    } finally {
      polling = false;
    }
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // Sent until the server has it: the same id each time, so a retry is never
  // a second message. Returns whether it got there.
  async function send(message) {
    const sending = JSON.stringify({ id: newId(), ...message });
    for (let attempt = 0; attempt < 6 && !ended; attempt++) {
      try {
        await call("messages", { method: "POST", body: sending });
        await poll();
        return true;
      } catch (error) {
        if (!ended) status.textContent = body.dataset.offline;
        await sleep(1000 * 2 ** attempt);
      }
    }
    return false;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const words = text.value.trim();
    if (!words) return;
    text.value = "";
    if (!(await send({ text: words })) && !text.value) text.value = words;  // not lost: theirs to send again
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // Leave quickly: the page is emptied, the cookie dropped, and a neutral
  // site replaces this one in the history (Back doesn't come here).
  document.getElementById("leave").addEventListener("click", () => {
    document.body.replaceChildren();
    fetch(base + "leave", { method: "POST", headers, keepalive: true, credentials: "same-origin" });
    window.location.replace(NEUTRAL_SITE);
  });

  // A page opened in one language on purpose (?lang=cy) starts the chat in it.
  call("session" + (body.dataset.chosen ? "?lang=" + body.dataset.chosen : ""), { method: "POST" })
    .then(() => { poll(); setInterval(poll, 1500); })
    .catch(() => { if (!ended) status.textContent = body.dataset.offline; });
})();
