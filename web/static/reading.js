// ME/CFS Atlas: reading settings (theme, text size, line spacing, short view), applied before
// the first paint. Loaded without `defer` in <head>, so it must stay tiny. The settings live
// in this browser's localStorage only: no cookie, nothing is sent to the server.
(function () {
  "use strict";
  var KEY = "atlas-reading";
  var CHOICES = {
    theme: ["system", "light", "dark"],
    text: ["standard", "large", "larger"],
    spacing: ["standard", "wide"],
    short: ["phones", "always", "never"]
  };
  var PHONE = "(max-width: 720px)";

  function load() {
    var stored = {};
    try { stored = JSON.parse(window.localStorage.getItem(KEY) || "{}") || {}; } catch (e) { stored = {}; }
    var settings = {};
    Object.keys(CHOICES).forEach(function (name) {
      var value = stored[name];
      settings[name] = CHOICES[name].indexOf(value) >= 0 ? value : CHOICES[name][0];
    });
    return settings;
  }

  function apply(settings) {
    var root = document.documentElement;
    function set(name, value) {
      if (value) { root.setAttribute("data-" + name, value); } else { root.removeAttribute("data-" + name); }
    }
    set("theme", settings.theme === "system" ? null : settings.theme);
    set("text", settings.text === "standard" ? null : settings.text);
    set("spacing", settings.spacing === "standard" ? null : settings.spacing);
    var isShort = settings.short === "always" ||
      (settings.short === "phones" && window.matchMedia && window.matchMedia(PHONE).matches);
    set("short", isShort ? "on" : null);
  }

  function save(settings) {
    try { window.localStorage.setItem(KEY, JSON.stringify(settings)); } catch (e) { /* private mode */ }
    apply(settings);
  }

  window.atlasReading = { choices: CHOICES, load: load, save: save, apply: apply };
  apply(load());
  // What app.js will add is given its room now, so nothing moves when it arrives.
  var root = document.documentElement;
  root.className = root.className.replace("no-js", "js");
  if (window.speechSynthesis && typeof window.SpeechSynthesisUtterance === "function") {
    root.setAttribute("data-speech", "");
  }
})();
