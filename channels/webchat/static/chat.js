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

  async function poll() {
    if (ended) return;
    try {
      const messages = await call("messages?after=" + after, { method: "GET" });
      for (const message of messages) {
        show(message);
        after = Math.max(after, message.id);
      }
      if (!ended) status.textContent = "";
    } catch (error) {
      if (!ended) status.textContent = body.dataset.offline;
    }
  }

  async function send(message) {
    try {
      await call("messages", { method: "POST", body: JSON.stringify({ id: newId(), ...message }) });
      await poll();
    } catch (error) {
      if (!ended) status.textContent = body.dataset.offline;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const words = text.value.trim();
    if (!words) return;
    text.value = "";
    send({ text: words });
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
