// Theme toggle, phone menu and offline search. Results are built with DOM APIs and textContent only:
// nothing from the index or the query is ever parsed as HTML.
(function () {
  "use strict";
  var root = document.documentElement;

  // A response's body as text, or a rejection when the server answers with an error.
  function getText(url) {
    return fetch(url).then(function (r) { return r.ok ? r.text() : Promise.reject(new Error("HTTP " + r.status)); });
  }

  var toggle = document.getElementById("theme-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var next = root.getAttribute("data-theme") === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("guardrail-theme", next); } catch (e) { /* storage may be off */ }
    });
  }

  var menu = document.querySelector(".menu-toggle");
  var sidebar = document.getElementById("sidebar");
  if (menu && sidebar) {
    menu.addEventListener("click", function () {
      var open = sidebar.classList.toggle("open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // The current page's categories are open in the sidebar, even those the sidebar file collapses.
  function openToCurrent() {
    var current = document.querySelector(".sidebar a.current");
    for (var el = current && current.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") { el.open = true; }
    }
    return current;
  }
  openToCurrent();

  // A big site's page carries only the way to itself; the whole sidebar is shared by every page (cached once),
  // in one file or, on a very big site, in pieces of one HTML text (their URLs space-separated). It is the
  // build's own HTML; the current page is marked by its number.
  var tree = document.querySelector(".sidebar-tree[data-nav]");
  if (tree && window.fetch) {
    Promise.all(tree.getAttribute("data-nav").split(" ").map(getText))
      .then(function (parts) {
        var html = parts.join("");
        var scrolled = sidebar ? sidebar.scrollTop : 0;
        var parsed = new DOMParser().parseFromString(html, "text/html").body;
        tree.replaceChildren.apply(tree, Array.prototype.slice.call(parsed.childNodes));
        tree.classList.add("sidebar-whole");
        var n = tree.getAttribute("data-current");
        var link = n === null ? null : tree.querySelector("a[data-page=\"" + n + "\"]");
        if (link) {
          link.classList.add("current");
          link.setAttribute("aria-current", "page");
        }
        var current = openToCurrent();
        if (sidebar && current) {
          var offset = current.getBoundingClientRect().top - sidebar.getBoundingClientRect().top;
          sidebar.scrollTop = Math.max(0, sidebar.scrollTop + offset - sidebar.clientHeight / 2);
        } else if (sidebar) {
          sidebar.scrollTop = scrolled;
        }
      })
      .catch(function () { /* the page's own part of the sidebar stays */ });
  }

  // Tabs (MDX <Tabs>): the HTML shows every panel with its label; with script, one panel at a time. Tabs with
  // the same group switch together, and the choice is remembered per group.
  function selectTab(tabs, value) {
    var buttons = tabs.querySelectorAll(":scope > .tabs-list > .tab");
    var found = false;
    buttons.forEach(function (b) { if (b.getAttribute("data-value") === value) { found = true; } });
    if (!found) { return; }
    buttons.forEach(function (b) {
      var on = b.getAttribute("data-value") === value;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
    });
    tabs.querySelectorAll(":scope > .tab-panel").forEach(function (panel) {
      panel.classList.toggle("active", panel.getAttribute("data-value") === value);
    });
  }
  document.querySelectorAll(".tabs").forEach(function (tabs) {
    var group = tabs.getAttribute("data-group");
    tabs.classList.add("js");
    if (group) {
      try {
        var saved = localStorage.getItem("guardrail-tab-" + group);
        if (saved) { selectTab(tabs, saved); }
      } catch (e) { /* storage may be off */ }
    }
    var list = tabs.querySelector(":scope > .tabs-list");
    list.querySelectorAll(".tab").forEach(function (b) { b.tabIndex = b.getAttribute("aria-selected") === "true" ? 0 : -1; });
    function choose(b) {
      var value = b.getAttribute("data-value");
      if (group) {
        document.querySelectorAll(".tabs").forEach(function (t) {
          if (t.getAttribute("data-group") === group) { selectTab(t, value); }
        });
        try { localStorage.setItem("guardrail-tab-" + group, value); } catch (e) { /* storage may be off */ }
      } else {
        selectTab(tabs, value);
      }
    }
    list.addEventListener("click", function (ev) {
      var b = ev.target.closest(".tab");
      if (b) { choose(b); }
    });
    list.addEventListener("keydown", function (ev) {
      if (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft") { return; }
      var all = Array.prototype.slice.call(list.querySelectorAll(".tab"));
      var i = all.indexOf(document.activeElement);
      if (i < 0) { return; }
      var next = all[(i + (ev.key === "ArrowRight" ? 1 : all.length - 1)) % all.length];
      choose(next);
      next.focus();
      ev.preventDefault();
    });
  });

  // A copy button on every code block.
  document.querySelectorAll("pre.code").forEach(function (pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy the code");
    button.addEventListener("click", function () {
      var code = pre.querySelector("code") || pre;
      // Numbered or highlighted lines are blocks: read each without its number.
      var lines = code.querySelectorAll(".code-line");
      var text = lines.length
        ? Array.prototype.map.call(lines, function (line) {
          var copy = line.cloneNode(true);
          copy.querySelectorAll(".line-number").forEach(function (n) { n.remove(); });
          return copy.textContent;
        }).join("\n")
        : code.innerText;
      var done = function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { button.textContent = "Copy failed"; });
      } else {
        button.textContent = "Copy failed";
      }
    });
    pre.classList.add("has-copy");
    pre.appendChild(button);
  });

  // Search. The index is split (assets/search/, see site/src/search.rs): a manifest of term prefixes, the shards
  // of the terms a query has, the titles of the pages shown, then those pages themselves (the reader's next
  // click), for the best section and a snippet. A query downloads a bounded amount whatever the site's size.
  // Results are built with DOM APIs and text nodes only; a fetched page is parsed, never run or inserted.
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  if (!input || !list) { return; }
  var manifestUrl = document.body.getAttribute("data-search-index");
  var base = manifestUrl.replace(/manifest\.json$/, "");
  // What was fetched (a promise each), kept unless the fetch failed: the next query asks again.
  var fetched = {};
  var asked = 0;

  function once(key, make) {
    if (!fetched[key]) {
      fetched[key] = make();
      fetched[key].catch(function () { delete fetched[key]; });
    }
    return fetched[key];
  }
  function getJson(url) {
    return once(url, function () { return getText(url).then(JSON.parse); });
  }
  function loadManifest() {
    return getJson(manifestUrl);
  }
  function shard(m, i) {
    return getJson(base + "s/" + i + ".json?v=" + m.v);
  }
  // Page n's [title, url].
  function titleOf(m, n) {
    var k = Math.floor(n / m.t);
    return getJson(base + "t/" + k + ".json?v=" + m.v).then(function (list) { return list[n - k * m.t]; });
  }
  // What guardrail prints under an example (the object as admitted and as stored): not searched, as the index
  // left it out.
  var generated = ".example-after, .example-stored";
  // A page's sections, cut at its headings as the index cut them: [anchor, heading, text].
  function sectionsOf(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var root = doc.querySelector("article.page") || doc.querySelector("main") || doc.body;
    root.querySelectorAll(generated + ", h1.page-title, script, style, template").forEach(function (e) { e.remove(); });
    var out = [];
    var current = ["", "", []];
    var walker = doc.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    var inHeading = null;
    // Text in inline elements (a link, code, emphasis) runs on; a block, a list item or a cell starts a word.
    var inline = /^(A|ABBR|B|CODE|EM|I|KBD|MARK|S|SMALL|SPAN|STRONG|SUB|SUP|U|INS|DEL|Q|TIME|VAR)$/;
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === 1) {
        if (/^H[1-6]$/.test(node.tagName) && node.id) {
          out.push(current);
          var heading = node.cloneNode(true);
          heading.querySelectorAll("a.anchor").forEach(function (a) { a.remove(); });
          current = [node.id, heading.textContent.trim(), []];
          inHeading = node;
        } else if (!inline.test(node.tagName)) {
          current[2].push(" ");
        }
      } else if (!(inHeading && inHeading.contains(node))) {
        current[2].push(node.nodeValue);
      }
    }
    out.push(current);
    return out.map(function (s) { return [s[0], s[1], s[2].join("").replace(/\s+/g, " ").trim()]; })
      .filter(function (s) { return s[0] || s[2]; });
  }
  function pageText(url) {
    return once("page " + url, function () { return getText(url).then(sectionsOf); });
  }
  // The same words as the index: lower-cased runs of letters and digits, two characters or more.
  function words(text) {
    return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length >= 2; });
  }
  // Terms compare by code point, as the build sorted them.
  function compare(a, b) {
    var x = Array.from(a);
    var y = Array.from(b);
    for (var i = 0; i < x.length && i < y.length; i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d !== 0) { return d; }
    }
    return x.length - y.length;
  }
  // The shard holding `term`: the last whose first term is not after it.
  function shardOf(m, term) {
    var lo = 0;
    var hi = m.s.length - 1;
    var found = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (compare(m.s[mid], term) <= 0) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }
  function decode(postings) {
    var out = {};
    var page = 0;
    postings.split(",").forEach(function (p) {
      var strong = p.charAt(p.length - 1) === "!";
      page += parseInt(strong ? p.slice(0, -1) : p, 36);
      out[page] = strong ? 3 : 1;
    });
    return out;
  }
  // Pages holding `word` (the last word of the query also as the beginning of longer words), with weights.
  function lookup(m, word, prefix) {
    var first = shardOf(m, word);
    var wanted = [first];
    if (prefix) {
      // The terms `word` begins run on from its place, up to the shard of the next word after them all.
      var last = shardOf(m, word + "\u{10FFFF}");
      if (last - first < 6) {
        for (var i = first + 1; i <= last; i++) { wanted.push(i); }
      } else {
        prefix = false;
      }
    }
    return Promise.all(wanted.map(function (i) { return shard(m, i); })).then(function (parts) {
      var pages = {};
      var df = 0;
      parts.forEach(function (part) {
        Object.keys(part).forEach(function (term) {
          if (term !== word && !(prefix && term.indexOf(word) === 0)) { return; }
          var found = decode(part[term]);
          Object.keys(found).forEach(function (p) {
            if (!pages[p]) { df++; }
            pages[p] = Math.max(pages[p] || 0, term === word ? found[p] + 1 : found[p]);
          });
        });
      });
      return { pages: pages, idf: Math.log(1 + m.n / Math.max(1, df)) };
    });
  }
  // The section of a page that holds the most query words, and a snippet of it around the first.
  function bestSection(sections, terms) {
    var best = null;
    sections.forEach(function (s) {
      var hay = (s[1] + " " + s[2]).toLowerCase();
      var score = 0;
      terms.forEach(function (t) { if (hay.indexOf(t) >= 0) { score += s[1].toLowerCase().indexOf(t) >= 0 ? 2 : 1; } });
      if (!best || score > best.score) { best = { score: score, anchor: s[0], heading: s[1], text: s[2] }; }
    });
    return best;
  }
  function snippet(text, terms) {
    var lower = text.toLowerCase();
    var at = -1;
    terms.forEach(function (t) { var i = lower.indexOf(t); if (i >= 0 && (at < 0 || i < at)) { at = i; } });
    var start = Math.max(0, at - 60);
    var cut = text.slice(start, start + 180);
    return (start > 0 ? "\u2026" : "") + cut + (start + 180 < text.length ? "\u2026" : "");
  }
  // Text with every query word marked, as text nodes and <mark> elements.
  function marked(text, terms) {
    var frag = document.createDocumentFragment();
    var lower = text.toLowerCase();
    var i = 0;
    while (i < text.length) {
      var next = -1;
      var len = 0;
      terms.forEach(function (t) {
        var k = lower.indexOf(t, i);
        if (k >= 0 && (next < 0 || k < next)) { next = k; len = t.length; }
      });
      if (next < 0) { break; }
      if (next > i) { frag.appendChild(document.createTextNode(text.slice(i, next))); }
      var m = document.createElement("mark");
      m.textContent = text.slice(next, next + len);
      frag.appendChild(m);
      i = next + len;
    }
    if (i < text.length) { frag.appendChild(document.createTextNode(text.slice(i))); }
    return frag;
  }
  function clear() { while (list.firstChild) { list.removeChild(list.firstChild); } }
  function message(text) {
    clear();
    var li = document.createElement("li");
    li.className = "search-empty";
    li.textContent = text;
    list.appendChild(li);
    list.hidden = false;
  }

  function search() {
    var query = input.value.trim();
    var terms = words(query);
    var ticket = ++asked;
    if (terms.length === 0) { clear(); list.hidden = !query; if (query) { message("Type two letters or more."); } return; }
    loadManifest().then(function (m) {
      return Promise.all(terms.map(function (t, k) { return lookup(m, t, k === terms.length - 1); })).then(function (found) {
        // Pages holding every word, by the words' weights (title and headings count more, rare words more).
        var scores = {};
        Object.keys(found[0].pages).forEach(function (p) {
          var s = 0;
          for (var k = 0; k < found.length; k++) {
            var w = found[k].pages[p];
            if (!w) { return; }
            s += w * found[k].idf;
          }
          scores[p] = s;
        });
        var top = Object.keys(scores).sort(function (a, b) { return scores[b] - scores[a] || a - b; }).slice(0, 8);
        return Promise.all(top.map(function (n) { return titleOf(m, Number(n)); }));
      });
    }).then(function (pages) {
      if (ticket !== asked) { return; }
      clear();
      if (pages.length === 0) { message("No page mentions \u201c" + query + "\u201d."); return; }
      // The titles at once; each page's best section and snippet once the page has come.
      pages.forEach(function (page) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = page[1];
        var title = document.createElement("strong");
        title.textContent = page[0];
        a.appendChild(title);
        li.appendChild(a);
        list.appendChild(li);
        pageText(page[1]).then(function (sections) {
          var s = bestSection(sections, terms);
          if (ticket !== asked || !s) { return; }
          if (s.anchor) { a.href = page[1] + "#" + s.anchor; }
          if (s.heading) {
            var where = document.createElement("em");
            where.textContent = s.heading;
            a.appendChild(where);
          }
          var text = document.createElement("span");
          text.appendChild(marked(snippet(s.text, terms), terms));
          a.appendChild(text);
        }, function () { /* the title alone */ });
      });
      list.hidden = false;
    }).catch(function () {
      if (ticket === asked) { message("Search is not available."); }
    });
  }

  input.addEventListener("focus", loadManifest);
  input.addEventListener("input", search);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { input.value = ""; search(); input.blur(); }
    if (e.key === "Enter") {
      var first = list.querySelector("a");
      if (first) { window.location.href = first.href; }
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && document.activeElement !== input) { e.preventDefault(); input.focus(); }
  });
})();
