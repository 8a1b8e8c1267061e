// Autocomplete for every search box marked data-autocomplete (ARIA 1.2 combobox with a listbox popup).
// Debounced, cancels stale requests, and works without a mouse: Up/Down move, Enter opens, Escape closes.
(function () {
  "use strict";
  var DELAY = 120;
  var SYSTEM_NAMES = { cpt: "CPT", hcpcs: "HCPCS", icd10cm: "ICD-10-CM", icd10pcs: "ICD-10-PCS" };

  function itemsOf(data) {
    if (Array.isArray(data)) return data;
    return (data && (data.results || data.suggestions || data.items)) || [];
  }

  function urlOf(item) {
    if (item.url) return item.url;
    return "/codes/" + encodeURIComponent(item.system) + "/" + encodeURIComponent(item.display || item.code);
  }

  function setup(input, n) {
    var list = document.createElement("ul");
    var listId = "ac-list-" + n;
    var timer = null, controller = null, items = [], active = -1, lastQuery = "";
    list.id = listId;
    list.className = "ac-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(i) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (i + options.length) % options.length;
      for (var k = 0; k < options.length; k++) options[k].setAttribute("aria-selected", k === active ? "true" : "false");
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function show(found, q) {
      items = found;
      list.textContent = "";
      active = -1;
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "ac-empty";
        none.textContent = "No codes start with that. Press Enter to search.";
        list.appendChild(none);
      }
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.url = urlOf(item);
        var code = document.createElement("span");
        code.className = "code";
        code.textContent = item.display || item.code;
        var title = document.createElement("span");
        title.className = "ac-title";
        title.textContent = item.title || "";
        if (item.common_name && item.common_name !== item.title) {
          // The plain name people know ("Cataract surgery with lens implant") under the title.
          var common = document.createElement("span");
          common.className = "ac-common";
          common.textContent = item.common_name;
          title.appendChild(document.createElement("br"));
          title.appendChild(common);
        }
        var sys = document.createElement("span");
        sys.className = "sys sys-" + item.system;
        sys.textContent = SYSTEM_NAMES[item.system] || item.system;
        li.appendChild(code);
        li.appendChild(title);
        li.appendChild(sys);
        // mousedown, not click: a click would first blur the input and close the list.
        li.addEventListener("mousedown", function (e) {
          e.preventDefault();
          window.location.href = li.dataset.url;
        });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q === lastQuery && !list.hidden) return;
      lastQuery = q;
      if (q.length < 2) { close(); return; }
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      fetch("/api/v1/autocomplete?q=" + encodeURIComponent(q) + "&limit=8", {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (data) { if (input.value.trim() === q) show(itemsOf(data), q); })
        .catch(function () { /* aborted or offline: the form still submits to /search */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.hidden) { lastQuery = ""; fetchSuggestions(); } else highlight(active + 1);
      } else if (e.key === "ArrowUp") {
        if (!list.hidden) { e.preventDefault(); highlight(active - 1); }
      } else if (e.key === "Enter") {
        var options = list.querySelectorAll("[role=option]");
        if (!list.hidden && active >= 0 && options[active]) {
          e.preventDefault();
          window.location.href = options[active].dataset.url;
        }
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-autocomplete]");
    for (var i = 0; i < inputs.length; i++) setup(inputs[i], i);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
