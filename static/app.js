// PromptVault — progressive enhancement only. Every page works without this file.
(function () {
  "use strict";
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

  // Keep a list of Content-Security-Policy violations (shown in the console, checked by tests).
  window.__pvCsp = [];
  document.addEventListener("securitypolicyviolation", function (e) {
    window.__pvCsp.push(e.violatedDirective + " " + e.blockedURI);
  });

  function typing(el) {
    if (!el) return false;
    var t = el.tagName;
    return t === "INPUT" || t === "TEXTAREA" || t === "SELECT" || el.isContentEditable;
  }

  // Theme: cookie read by the server on the next page, attribute set now (no flash, no reload).
  var ORDER = ["system", "light", "dark"];
  function applyTheme(theme) {
    document.documentElement.setAttribute("data-theme", theme);
    document.cookie = theme === "system"
      ? "theme=; Path=/; Max-Age=0; SameSite=Lax"
      : "theme=" + theme + "; Path=/; Max-Age=31536000; SameSite=Lax";
    var next = ORDER[(ORDER.indexOf(theme) + 1) % 3];
    $$(".themeform").forEach(function (f) {
      var input = $("input[name=theme]", f);
      if (input) input.value = next;
      var b = $("button", f);
      if (b) b.title = "Theme: " + theme + " (click for " + next + ")";
      var use = $("use", f);
      if (use) use.setAttribute("href", use.getAttribute("href").replace(/#.*$/, "#theme-" + theme));
      var word = $("[data-theme-word]", f);
      if (word) word.textContent = theme;
      var sr = $("[data-theme-next]", f);
      if (sr) sr.textContent = ". Switch to " + next;
    });
    $$("[data-theme-form] input[name=theme]").forEach(function (r) { r.checked = r.value === theme; });
  }
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f.classList.contains("themeform")) {
      e.preventDefault();
      applyTheme($("input[name=theme]", f).value);
    }
  });
  $$("[data-theme-form]").forEach(function (f) {
    $$("[data-nojs]", f).forEach(function (b) { b.hidden = true; });
    f.addEventListener("change", function (e) { if (e.target.name === "theme") applyTheme(e.target.value); });
  });

  // Copy buttons: data-copy-target="#id" (text or value of that element) or data-copy="text".
  function flashLabel(btn, text) {
    var label = $("span", btn) || btn;
    if (!btn.dataset.label) btn.dataset.label = label.textContent;
    label.textContent = text;
    btn.classList.add("copied");
    clearTimeout(btn._t);
    btn._t = setTimeout(function () { label.textContent = btn.dataset.label; btn.classList.remove("copied"); }, 1500);
  }
  function legacyCopy(text) {
    var ta = document.createElement("textarea");
    ta.value = text; ta.setAttribute("readonly", ""); ta.className = "sr";
    document.body.appendChild(ta); ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
    document.body.removeChild(ta);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest("[data-copy-url]");
    if (link) {
      e.preventDefault();
      fetch(link.getAttribute("data-copy-url"), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(copyText)
        .then(function () { flashLabel(link, "Copied"); }, function () { flashLabel(link, "Copy failed"); });
      return;
    }
    var btn = e.target.closest("[data-copy-target],[data-copy]");
    if (!btn) return;
    e.preventDefault();
    var text = btn.getAttribute("data-copy");
    // The main Copy button copies the filled-in prompt once a variable has a value.
    var filledSel = btn.getAttribute("data-copy-fill");
    if (text === null && filledSel && $(filledSel) && $$("[data-var]").some(function (i) {
      return i.type === "checkbox" ? i.checked : i.value !== "" && i.value !== i.getAttribute("data-default");
    })) {
      text = $(filledSel).textContent;
    }
    if (text === null) {
      var src = $(btn.getAttribute("data-copy-target"));
      if (!src) return;
      text = "value" in src && src.tagName !== "DIV" && src.tagName !== "PRE" && src.tagName !== "CODE" ? src.value : src.textContent;
    }
    copyText(text).then(function () { flashLabel(btn, "Copied"); }, function () { flashLabel(btn, "Press Ctrl+C"); });
  });

  // Toasts: a close button, successes leave on their own.
  function closeable(t) {
    var b = document.createElement("button");
    b.type = "button"; b.setAttribute("aria-label", "Dismiss"); b.textContent = "×";
    b.addEventListener("click", function () { t.remove(); });
    t.appendChild(b);
    // A toast with an Undo stays until it is used or dismissed.
    if (t.classList.contains("toast-ok") && !$("form", t)) setTimeout(function () { t.remove(); }, 7000);
  }
  $$(".toast").forEach(closeable);
  window.pvToast = function (kind, text) {
    var box = $(".toasts");
    if (!box) return;
    var t = document.createElement("div");
    t.className = "toast toast-" + kind; t.setAttribute("role", kind === "error" ? "alert" : "status");
    t.textContent = text; box.appendChild(t); closeable(t);
  };

  // Star toggles: sent to the JSON API, the button changes in place (no reload).
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.matches || !f.matches("form[data-star]")) return;
    e.preventDefault();
    var on = $("input[name=on]", f);
    var star = on.value === "1";
    fetch("/api/prompts/" + encodeURIComponent(f.getAttribute("data-star")) + "/favorite", {
      method: star ? "PUT" : "DELETE", credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      $$("form[data-star=\"" + f.getAttribute("data-star") + "\"]").forEach(function (g) {
        var b = $("button", g), use = $("use", g);
        $("input[name=on]", g).value = star ? "0" : "1";
        b.setAttribute("aria-pressed", star ? "true" : "false");
        b.classList.toggle("on", star);
        if (use) use.setAttribute("href", use.getAttribute("href").replace(/#.*$/, star ? "#star-fill" : "#star"));
      });
      window.pvToast("ok", star ? "Added to your favourites." : "Removed from your favourites.");
    }).catch(function () { f.submit(); });
  });

  // Menus: close on Escape or an outside click.
  document.addEventListener("click", function (e) {
    $$("details.menu[open]").forEach(function (d) { if (!d.contains(e.target)) d.removeAttribute("open"); });
  });

  // Keyboard shortcuts.
  var dialog = $("#shortcuts");
  function openShortcuts() { if (dialog && dialog.showModal && !dialog.open) dialog.showModal(); }
  $$("[data-open-shortcuts]").forEach(function (a) {
    a.addEventListener("click", function (e) { if (dialog && dialog.showModal) { e.preventDefault(); openShortcuts(); } });
  });
  function focusSearch() {
    var target = $("[data-page-search]") || $("#topq");
    if (target && target.offsetParent === null) {
      var menu = $(".phone-menu");
      if (menu) { menu.setAttribute("open", ""); target = $("#phoneq"); }
    }
    if (target) { target.focus(); if (target.select) target.select(); }
  }
  var pendingG = 0;
  document.addEventListener("keydown", function (e) {
    var mod = e.ctrlKey || e.metaKey;
    if (mod && !e.altKey && (e.key === "k" || e.key === "K")) { e.preventDefault(); focusSearch(); return; }
    if (mod && !e.altKey && (e.key === "s" || e.key === "S")) {
      var form = (document.activeElement && document.activeElement.closest && document.activeElement.closest("form[data-save]")) || $("form[data-save]");
      if (form) { e.preventDefault(); submitForm(form); }
      return;
    }
    if (e.key === "Escape") {
      $$("details[open]").forEach(function (d) { d.removeAttribute("open"); });
      if (typing(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (mod || e.altKey || typing(e.target)) return;
    if (Date.now() - pendingG < 1200) {
      pendingG = 0;
      if (e.key === "p") { location.href = "/prompts"; return; }
      if (e.key === "f") { location.href = "/team-feed"; return; }
    }
    switch (e.key) {
      case "/": e.preventDefault(); focusSearch(); break;
      case "?": e.preventDefault(); openShortcuts(); break;
      case "n": if ($("#topq")) location.href = "/prompts/new"; break;
      case "g": pendingG = Date.now(); break;
      case "c": var c = $("[data-shortcut-copy]"); if (c) c.click(); break;
      case "e": var ed = $("[data-shortcut-edit]"); if (ed) location.href = ed.getAttribute("href"); break;
      default: break;
    }
  });

  // Unsaved-changes warning and Ctrl/Cmd+S.
  var dirty = null;
  function submitForm(form) {
    dirty = null;
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }
  $$("form[data-dirty-warn]").forEach(function (f) {
    f.addEventListener("input", function () { dirty = f; });
    f.addEventListener("submit", function () { dirty = null; });
  });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });

  // Live {{variable}} detection in the editor.
  // The name characters come from the server (one definition: prompts::variables::NAME_CHARS).
  var varSource = $("[data-vars-source]");
  var VAR = new RegExp("(\\\\?)\\{\\{\\s*([" + ((varSource && varSource.getAttribute("data-var-chars")) || "A-Za-z0-9_.\\-") + "]+)\\s*\\}\\}", "gu");
  function namesIn(text) {
    var seen = [], m;
    VAR.lastIndex = 0;
    while ((m = VAR.exec(text)) !== null) { if (!m[1] && seen.indexOf(m[2]) < 0) seen.push(m[2]); }
    return seen;
  }
  // A chat prompt has one source per message: "#" between them keeps a placeholder in one.
  var sources = $$("[data-vars-source]");
  var source = sources[0];
  var list = $("[data-vars-list]");
  var rowTemplate = $("#var-row");
  if (source && list && rowTemplate) {
    var syncVars = function () {
      var names = namesIn(sources.map(function (s) { return s.value; }).join("\n#\n"));
      var rows = {};
      $$("[data-var-row]", list).forEach(function (r) { rows[r.getAttribute("data-var-row")] = r; });
      names.forEach(function (name) {
        var row = rows[name];
        if (!row) {
          row = rowTemplate.content.firstElementChild.cloneNode(true);
          row.setAttribute("data-var-row", name);
          $$("[data-name]", row).forEach(function (el) { el.textContent = name; });
          $$("input,select", row).forEach(function (inp) {
            inp.name = inp.name.replace("NAME", name);
            inp.id = inp.id.replace("NAME", name);
          });
          $$("label", row).forEach(function (lab) { lab.htmlFor = lab.htmlFor.replace("NAME", name); });
          enumOnly(row);
        }
        row.hidden = false;
        list.appendChild(row);
        delete rows[name];
      });
      Object.keys(rows).forEach(function (n) { rows[n].hidden = true; });
      var empty = $("[data-vars-empty]");
      if (empty) empty.hidden = names.length > 0;
    };
    sources.forEach(function (s) { s.addEventListener("input", syncVars); });
    syncVars();
  }

  // A new prompt's name: the placeholder shows the name the title gives (the server makes it).
  $$("[data-name-from]").forEach(function (input) {
    var from = $(input.getAttribute("data-name-from"));
    if (!from || !input.placeholder) return;
    var suggest = function () {
      var slug = from.value.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64).replace(/-+$/, "");
      input.placeholder = slug || "made from the title";
    };
    from.addEventListener("input", suggest);
    suggest();
  });

  // The editor's list values show for "One of a list" only (or when they hold a value or an error).
  function enumOnly(row) {
    var type = $("[data-var-type]", row), values = $("[data-enum-only]", row);
    if (!type || !values) return;
    var input = $("input", values);
    values.hidden = type.value !== "enum" && !input.value && input.getAttribute("aria-invalid") !== "true";
  }
  $$("[data-var-row]").forEach(enumOnly);
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-var-type]")) enumOnly(e.target.closest("[data-var-row]"));
  });

  // Auto-growing textareas.
  $$("textarea[data-grow]").forEach(function (t) {
    var min = parseInt(t.getAttribute("data-grow"), 10) || 120;
    var grow = function () { t.style.height = "auto"; t.style.height = Math.max(t.scrollHeight + 2, min) + "px"; };
    t.addEventListener("input", grow); grow();
  });

  // Variables form: fill {{name}} values into the preview and copy the result.
  var fill = $("[data-fill]");
  if (fill) {
    var template = $("[data-fill-template]");
    var out = $("[data-fill-output]", fill);
    var update = function () {
      var values = {};
      $$("[data-var]", fill).forEach(function (i) {
        values[i.getAttribute("data-var")] = i.type === "checkbox" ? String(i.checked)
          : i.value || i.getAttribute("data-default") || "";
      });
      out.textContent = ("value" in template ? template.value : template.textContent).replace(VAR, function (whole, esc, name) {
        if (esc) return whole.slice(1);
        return values[name] ? values[name] : whole;
      });
    };
    fill.addEventListener("input", update);
    // With the script the result is already there: nothing to send (values stay off the network).
    fill.addEventListener("submit", function (e) { e.preventDefault(); update(); });
    $$("[data-nojs]", fill).forEach(function (b) { b.hidden = true; });
    update();
  }

  // Search as you type: fetch the same page and swap its results.
  $$("form[data-live]").forEach(function (form) {
    var results = $("#results");
    if (!results) return;
    $$("[data-nojs]", form).forEach(function (b) { b.hidden = true; });
    var timer = 0, seq = 0;
    var run = function () {
      var params = new URLSearchParams(new FormData(form));
      params.delete("page");
      var url = form.getAttribute("action") + "?" + params.toString();
      var mine = ++seq;
      fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          if (mine !== seq) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("results");
          if (fresh) {
            results.innerHTML = fresh.innerHTML;
            history.replaceState(null, "", url);
            // One short announcement (the count), not every card.
            var status = $("[data-live-status]");
            var count = fresh.getAttribute("data-count");
            if (status && count !== null) status.textContent = count;
          }
        })
        .catch(function () { /* keep the current results */ });
    };
    form.addEventListener("input", function (e) {
      if (e.target.type === "search" || e.target.type === "text") { clearTimeout(timer); timer = setTimeout(run, 180); }
    });
    form.addEventListener("change", function (e) {
      if (e.target.tagName === "SELECT" || e.target.type === "radio" || e.target.type === "checkbox") run();
    });
  });

  // Import: upload the chosen file with a progress bar and show the summary in place.
  $$("form[data-import]").forEach(function (form) {
    $$("[data-js-only]", form).forEach(function (el) { el.hidden = false; });
    $$("[data-nojs-only]", form).forEach(function (el) { el.hidden = true; });
    var bar = $("[data-import-progress]", form);
    var result = $("[data-import-result]", form);
    form.addEventListener("submit", function (e) {
      var input = $("input[type=file]", form);
      var file = input && input.files && input.files[0];
      e.preventDefault();
      result.hidden = false;
      if (!file) { result.textContent = "Choose a file first."; return; }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/import-export/import?tagImported=true");
      xhr.setRequestHeader("Content-Type", /\.csv$/i.test(file.name) ? "text/csv" : "application/json");
      bar.hidden = false; bar.value = 0;
      xhr.upload.addEventListener("progress", function (ev) {
        if (ev.lengthComputable) bar.value = Math.round(ev.loaded * 100 / ev.total);
      });
      xhr.addEventListener("load", function () {
        bar.value = 100;
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
        if (xhr.status >= 200 && xhr.status < 300) {
          result.textContent = "Import finished: " + body.imported + " prompt(s) imported, " + body.skipped + " skipped as duplicates. ";
          if (body.tag) {
            var a = document.createElement("a");
            a.href = "/prompts?tag=" + encodeURIComponent(body.tag);
            a.textContent = "View the imported prompts";
            result.appendChild(a);
          }
          window.pvToast("ok", "Import finished.");
        } else {
          var detail = body.details ? " (" + Object.keys(body.details).map(function (k) { return k + ": " + body.details[k]; }).join("; ") + ")" : "";
          result.textContent = "Nothing was imported: " + (body.error || ("error " + xhr.status)) + detail;
          window.pvToast("error", "Import failed.");
        }
      });
      xhr.addEventListener("error", function () { result.textContent = "The upload failed; nothing was imported."; });
      xhr.send(file);
    });
  });

  // Tags: suggest existing tags for the word being typed after the last comma.
  $$("input[data-tags]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    var all = $$("option", list).map(function (o) { return o.value; });
    input.addEventListener("input", function () {
      var parts = input.value.split(",");
      var current = parts.pop().trim().toLowerCase();
      var done = parts.map(function (p) { return p.trim(); }).filter(Boolean);
      var taken = done.map(function (p) { return p.toLowerCase(); });
      var prefix = done.length ? done.join(", ") + ", " : "";
      list.textContent = "";
      all.filter(function (t) {
        var l = t.toLowerCase();
        return taken.indexOf(l) < 0 && (!current || l.indexOf(current) === 0);
      }).slice(0, 12).forEach(function (t) {
        var o = document.createElement("option");
        o.value = prefix + t;
        list.appendChild(o);
      });
    });
  });
})();
