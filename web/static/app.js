// ME/CFS Atlas Search: small enhancements. Every page works without this file.
// - Ticking a filter box applies it at once: the results are fetched, swapped in and the
//   URL updated (history.pushState), so the address bar always holds the current search.
// - Copy buttons copy a citation or BibTeX to the clipboard.
// - The reading settings panel (its choices are applied by reading.js, before first paint).
// - Short view: a study page's sections fold behind their headings (disclosure buttons).
// - Listen: the browser's own speech synthesis reads a study aloud (nothing leaves the page).
(function () {
  "use strict";
  var root = document.documentElement;
  root.className = root.className.replace("no-js", "js");

  function announce(text) {
    var live = document.getElementById("live-status");
    if (live) live.textContent = text;
  }

  function showResults(url, push) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var next = fresh.getElementById("search-results");
        var current = document.getElementById("search-results");
        if (!next || !current) throw new Error("no results in the page");
        current.replaceWith(document.importNode(next, true));
        document.title = fresh.title;
        var canonical = document.querySelector('link[rel="canonical"]');
        var freshCanonical = fresh.querySelector('link[rel="canonical"]');
        if (canonical && freshCanonical) canonical.href = freshCanonical.href;
        if (push) history.pushState({ atlas: true }, "", url);
        var count = document.querySelector("[data-count]");
        announce(count ? count.textContent : "");
      });
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || !box.dataset.url) return;
    var url = box.dataset.url;
    var name = box.name;
    var value = box.value;
    showResults(url, true)
      .then(function () {
        var selector = 'input[type="checkbox"][name="' + CSS.escape(name) + '"][value="' + CSS.escape(value) + '"]';
        var again = document.querySelector(selector);
        if (again) again.focus();
      })
      .catch(function () { window.location.assign(url); });
  });

  window.addEventListener("popstate", function () {
    if (!document.getElementById("search-results")) return;
    showResults(window.location.href, false).catch(function () { window.location.reload(); });
  });

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var done = document.execCommand("copy");
      document.body.removeChild(area);
      if (done) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector(".copy-status");
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(source.textContent).then(
        function () { if (status) status.textContent = "Copied."; },
        function () {
          window.getSelection().selectAllChildren(source);
          if (status) status.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
        }
      );
    });
  });

  // ---- short view: sections fold -------------------------------------------------------
  function foldSections() {
    var isShort = root.getAttribute("data-short") === "on";
    document.querySelectorAll(".foldable").forEach(function (section) {
      var heading = section.querySelector("h2");
      if (!heading) return;
      var button = heading.querySelector(".fold-button");
      if (isShort && !button) {
        button = document.createElement("button");
        button.type = "button";
        button.className = "fold-button";
        button.setAttribute("aria-expanded", section.classList.contains("is-open") ? "true" : "false");
        while (heading.firstChild) button.appendChild(heading.firstChild);
        heading.appendChild(button);
        button.addEventListener("click", function () {
          var open = !section.classList.contains("is-open");
          section.classList.toggle("is-open", open);
          button.setAttribute("aria-expanded", open ? "true" : "false");
        });
      } else if (!isShort && button) {
        while (button.firstChild) heading.insertBefore(button.firstChild, button);
        heading.removeChild(button);
      }
    });
  }

  function openTarget() {
    // A link to a folded section (#cite, #suggest-correction) opens it.
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    var section = target && target.closest(".foldable");
    if (!section || section.classList.contains("is-open")) return;
    section.classList.add("is-open");
    var button = section.querySelector(".fold-button");
    if (button) button.setAttribute("aria-expanded", "true");
  }

  foldSections();
  openTarget();
  window.addEventListener("hashchange", openTarget);

  // ---- listen ---------------------------------------------------------------------------
  var listen = document.querySelector(".listen");
  var speech = window.speechSynthesis;
  if (listen && speech && typeof window.SpeechSynthesisUtterance === "function") {
    var play = listen.querySelector(".listen__play");
    var pause = listen.querySelector(".listen__pause");
    var stop = listen.querySelector(".listen__stop");
    var status = listen.querySelector(".listen__status");
    var speaking = false;
    var show = function (isSpeaking, message) {
      speaking = isSpeaking;
      play.hidden = isSpeaking;
      pause.hidden = !isSpeaking;
      stop.hidden = !isSpeaking;
      pause.textContent = "Pause";
      status.textContent = message;
    };
    var parts = function () {
      var title = document.getElementById(listen.dataset.listenTitle);
      var texts = [title ? title.textContent : ""];
      document.querySelectorAll("section[data-listen]").forEach(function (section) {
        texts.push(section.textContent);
      });
      return texts.map(function (t) { return t.replace(/\s+/g, " ").trim(); }).filter(Boolean);
    };
    listen.hidden = false;
    play.addEventListener("click", function () {
      speech.cancel();
      var texts = parts();
      texts.forEach(function (text, i) {
        // One utterance per section: some browsers cut off long ones.
        var utterance = new window.SpeechSynthesisUtterance(text);
        utterance.lang = document.documentElement.lang || "en";
        if (i === texts.length - 1) {
          utterance.addEventListener("end", function () { if (speaking) show(false, "Finished reading."); });
        }
        speech.speak(utterance);
      });
      show(true, "Reading aloud.");
      pause.focus();
    });
    pause.addEventListener("click", function () {
      if (speech.paused) {
        speech.resume();
        pause.textContent = "Pause";
        status.textContent = "Reading aloud.";
      } else {
        speech.pause();
        pause.textContent = "Resume";
        status.textContent = "Paused.";
      }
    });
    stop.addEventListener("click", function () {
      show(false, "Stopped.");
      speech.cancel();
      play.focus();
    });
    window.addEventListener("pagehide", function () { speech.cancel(); });
  }

  // ---- reading settings ----------------------------------------------------------------
  var reading = window.atlasReading;
  var toggle = document.querySelector(".reading__toggle");
  var panel = document.getElementById("reading-panel");
  if (reading && toggle && panel) {
    var settings = reading.load();
    panel.querySelectorAll("input[data-setting]").forEach(function (input) {
      input.checked = settings[input.dataset.setting] === input.value;
    });
    toggle.hidden = false;
    var setOpen = function (open) {
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        var first = panel.querySelector("input:checked") || panel.querySelector("input");
        if (first) first.focus();
      }
    };
    toggle.addEventListener("click", function () { setOpen(panel.hidden); });
    panel.querySelector(".reading__close").addEventListener("click", function () {
      setOpen(false);
      toggle.focus();
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { setOpen(false); toggle.focus(); }
    });
    panel.addEventListener("change", function (event) {
      var input = event.target;
      if (!(input instanceof HTMLInputElement) || !input.dataset.setting) return;
      settings[input.dataset.setting] = input.value;
      reading.save(settings);
      foldSections();
      announce("Reading settings saved.");
    });
  }
})();
