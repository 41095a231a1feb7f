// kb's keyboard and navigation behaviour (a Streamlit v2 component with no UI of its own).
//
// - Search as you type: the box commits its text after a short pause, as Enter would; old
//   results are dimmed until the new ones arrive.
// - Settled: Enter in the box, a longer pause (`settle` ms, kb/app/keys.py SETTLE_MS) with a
//   search's results on screen, or one of its results opened in another tab tells the app
//   someone settled on that search, which it then logs once (the searches sent at each pause
//   are not logged: kb/app/query.py; a result opened in this tab the app sees itself). Typing
//   stops the wait; a search the app says is logged already is not sent again.
// - "/" focuses the box (pressed first in the box the app focused, it types nothing: the
//   box is where it goes), Esc clears it, arrow keys move through the results' titles.
// - Results on screen for the box's words are said in a live region (the app's words for
//   them, `announce`): results that came as one typed were silent to a screen reader.
// - kb's own links (`?page=...`, `?person=...`) open in the app, in the same tab, and "Back"
//   (the browser's, or the app's: the run's data says so) returns to the results scrolled
//   where they were.
// - A view opened anew (a person, People, Gaps...) starts at its top, not where the last one
//   was scrolled; an opened page scrolls itself (kb/app/page.py: to its section or title).
//
// Streamlit calls the default export after every script run (the data carries a run number);
// the document-wide listeners are installed once per page load.

const BOX = ".st-key-q input";
const CARD = '[class*="st-key-hit-"]';
const STYLE = `
body.kb-typing ${CARD}, body.kb-typing .st-key-experts { opacity: 0.45; transition: opacity 0.1s; }
${CARD}:focus-within { outline: 2px solid #1c83e1; outline-offset: 2px; border-radius: 0.5rem; }
#kb-announce { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
`;

const scroller = () => document.querySelector(".stMain") || document.scrollingElement;
const editable = (el) =>
  el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

function commit(box) {
  // Streamlit's text input sends its value on Enter; a synthetic Enter does the same without
  // the server ever writing into the box (which would drop letters typed meanwhile).
  const enter = { key: "Enter", code: "Enter", keyCode: 13, which: 13, bubbles: true };
  box.dispatchEvent(new KeyboardEvent("keydown", enter));
}

function clear(kb, box) {
  // React keeps its own copy of the value: set it through the native setter, then say so.
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
  setter.call(box, "");
  box.dispatchEvent(new Event("input", { bubbles: true }));
  kb.typed = true;
  commit(box);
}

function settle(kb, query) {
  // The words settled on: the box's on Enter, else those whose results are on screen (more
  // may have been typed since, not yet searched).
  clearTimeout(kb.settling);
  if (query) kb.send("settled", query);
}

function waitToSettle(kb) {
  clearTimeout(kb.settling);
  kb.settling = setTimeout(() => settle(kb, kb.query), kb.settleWait);
}

function resultLinks() {
  return [...document.querySelectorAll(CARD)]
    .filter((card) => card.offsetParent !== null) // not inside a folded expander
    .map((card) => card.querySelector('a[href^="?"]'))
    .filter(Boolean);
}

function onKeyDown(kb, e) {
  const box = document.querySelector(BOX);
  if (box && e.target === box) {
    if (e.key === "/" && kb.autoFocused === box && !box.value) {
      // The app put the focus here on load: "/" (to go to the box) typed a slash into it.
      e.preventDefault();
      kb.autoFocused = null;
      return;
    }
    if (e.key === "Enter" && e.isTrusted) {
      clearTimeout(kb.timer);
      kb.typed = false; // Enter is a search of its own: it gets a history entry
      // Settled: at once if its results are on screen, else once they are (sent now, the
      // signal would make the app start over the run drawing them).
      const words = box.value.trim();
      if (words === kb.query) settle(kb, words);
      else kb.settleShown = words;
    }
    if (e.key === "Escape") {
      e.preventDefault();
      clearTimeout(kb.timer);
      if (box.value) clear(kb, box);
      else box.blur();
    }
    if (e.key === "ArrowDown") {
      const first = resultLinks()[0];
      if (first) {
        e.preventDefault();
        first.focus();
      }
    }
    return;
  }
  const links = resultLinks();
  const at = links.indexOf(e.target);
  if (at >= 0 && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
    e.preventDefault();
    const next = at + (e.key === "ArrowDown" ? 1 : -1);
    if (next < 0) box?.focus();
    else links[Math.min(next, links.length - 1)].focus();
    return;
  }
  const plain = !(e.ctrlKey || e.metaKey || e.altKey);
  if (e.key === "/" && plain && box && !editable(e.target)) {
    e.preventDefault();
    box.focus();
    box.select();
  }
}

function onInput(kb, e) {
  if (!e.target.matches?.(BOX)) return;
  kb.autoFocused = null; // typed in: a "/" now is part of the words
  clearTimeout(kb.timer);
  clearTimeout(kb.settling); // still typing
  kb.settleShown = "";
  document.body.classList.add("kb-typing");
  const box = e.target;
  kb.timer = setTimeout(() => {
    kb.typed = true;
    commit(box);
    // Back to the words on screen (typed and erased): no run follows to start the wait.
    if (box.value.trim() === kb.query && kb.search && !kb.logged) waitToSettle(kb);
  }, kb.wait);
}

function keepHistoryShort(kb) {
  // Streamlit adds a history entry for every change of the URL; a search sent by a pause in
  // typing replaces the address instead, so Back skips the half-typed words.
  const push = history.pushState.bind(history);
  const others = (url) => {
    const params = new URL(url, location.href).searchParams;
    params.delete("q");
    return params.toString();
  };
  history.pushState = (state, unused, url) => {
    if (kb.typed && url != null && others(url) === others(location.href)) {
      kb.typed = false;
      return history.replaceState(state, unused, url);
    }
    return push(state, unused, url);
  };
}

function onClick(kb, e) {
  const link = e.target.closest?.("a[href]");
  const href = link?.getAttribute("href") || "";
  if (href.startsWith("#") && e.button === 0) {
    // An anchor on this screen ("Who knows ↓"): scrolled to here. The browser's jump fires
    // popstate, read as Back, which put a result list opened from a link back at its top
    // 0.7 s later (a trial); and it left a history entry for Back to undo. The focus goes
    // with it: scrolled alone, the next Tab went back up to the first result.
    const target = document.getElementById(decodeURIComponent(href.slice(1)));
    if (target) {
      e.preventDefault();
      kb.restoring = null;
      target.scrollIntoView();
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
    return;
  }
  if (!href.startsWith("?") || e.button > 1) return;
  // Only kb's own links, and only a plain click: Ctrl/Cmd/middle click still opens a tab,
  // and the search whose result it opens is settled on (a plain click: the app sees it).
  if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) {
    if (kb.search && !kb.logged) settle(kb, kb.query);
    return;
  }
  e.preventDefault();
  e.stopPropagation();
  sessionStorage.setItem("kb-scroll:" + location.search, String(scroller().scrollTop));
  kb.send("go", href);
}

function restoreScroll(kb) {
  // After Back, the results are drawn again: put them where they were when the link was
  // followed. Keep at it for a moment (the run's old elements are removed after it), unless
  // the user scrolls or types first.
  const want = Number(sessionStorage.getItem("kb-scroll:" + location.search) || 0);
  kb.restoring = location.search;
  const until = Date.now() + 1500;
  const step = () => {
    if (kb.restoring !== location.search || Date.now() > until) return;
    const s = scroller();
    if (Math.abs(s.scrollTop - want) > 2 && s.scrollHeight - s.clientHeight >= want) {
      s.scrollTop = want;
    }
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}

// What the user sees as one screen of the app: a page or person opened over a view, or the view.
function place() {
  const params = new URLSearchParams(location.search);
  for (const key of ["page", "person"]) {
    if (params.get(key)) return key + ":" + params.get(key);
  }
  return "view:" + (params.get("view") || "search");
}

function showPlace(kb, wentBack) {
  // Streamlit keeps the main area's scroll offset across runs: a profile opened low in the
  // People table landed 559 px down, its name and the metrics' labels out of sight.
  const now = place();
  const fresh = kb.place !== null && now !== kb.place;
  kb.place = now;
  if (wentBack || (kb.back !== null && kb.back === location.search)) {
    kb.back = null;
    restoreScroll(kb);
  } else if (fresh && !now.startsWith("page:")) {
    kb.restoring = null;
    scroller().scrollTo(0, 0);
  }
  if (fresh && !now.startsWith("view:")) focusTitle();
}

function focusTitle() {
  // A page or person opened over the results takes the focus to its title: the link that
  // opened it is gone, the focus was left on the body, and a screen reader said nothing of
  // the new view (an accessibility trial). Never from an element someone is in; the run's
  // old elements go after it, so the title is looked for a moment (as `restoreScroll`).
  const until = Date.now() + 1500;
  const step = () => {
    const active = document.activeElement;
    if ((active && active !== document.body) || Date.now() > until) return;
    const title = [...document.querySelectorAll('.stMain [data-testid="stHeading"] h2')].find(
      (h) => h.id !== "who-knows" && !h.closest('[data-stale="true"]'),
    );
    if (!title) return requestAnimationFrame(step);
    if (!title.hasAttribute("tabindex")) title.setAttribute("tabindex", "-1");
    title.focus({ preventScroll: true });
  };
  requestAnimationFrame(step);
}

function reachScrollers() {
  // A Markdown table wider than its column scrolls in its own box (kb/app/style.py): one the
  // keyboard can focus, so its hidden columns can be scrolled to with the arrow keys (Chromium
  // lets it be focused by itself, Safari does not; axe: scrollable-region-focusable).
  const tables = document.querySelectorAll('.stMain [data-testid="stMarkdownContainer"] table');
  for (const table of tables) {
    if (table.scrollWidth > table.clientWidth + 1) table.tabIndex = 0;
    else table.removeAttribute("tabindex");
  }
}

function announce(kb, said) {
  // Once per search and what it found: the fragment's run and the full run after it say the
  // same. Emptied first, so the same words for new results are said again.
  const key = kb.query + "\n" + said;
  if (key === kb.announced) return;
  kb.announced = key;
  kb.live.textContent = "";
  clearTimeout(kb.saying);
  if (said) kb.saying = setTimeout(() => (kb.live.textContent = said), 100);
}

function install(kb) {
  const style = document.createElement("style");
  style.textContent = STYLE;
  document.head.appendChild(style);
  // A live region must be in the page before what it says: outside Streamlit's elements,
  // which a run may replace.
  kb.live = document.createElement("div");
  kb.live.id = "kb-announce";
  kb.live.setAttribute("role", "status");
  document.body.appendChild(kb.live);
  // Put in the box by a click or a Tab, not by the app: "/" there is part of the words.
  const mine = () => {
    kb.autoFocused = null;
  };
  document.addEventListener("pointerdown", mine, true);
  document.addEventListener("focusout", mine, true);
  keepHistoryShort(kb);
  document.addEventListener("keydown", (e) => onKeyDown(kb, e), true);
  document.addEventListener("input", (e) => onInput(kb, e), true);
  document.addEventListener("click", (e) => onClick(kb, e), true);
  document.addEventListener("auxclick", (e) => onClick(kb, e), true); // the middle button
  window.addEventListener("resize", reachScrollers);
  window.addEventListener("popstate", () => {
    kb.back = location.search;
  });
  const stop = () => {
    kb.restoring = null;
  };
  for (const name of ["wheel", "touchstart", "keydown"]) {
    window.addEventListener(name, stop, { capture: true, passive: true });
  }
}

export default function (component) {
  const { data, setTriggerValue } = component;
  let kb = window.__kbKeys;
  if (!kb) {
    kb = window.__kbKeys = {
      timer: 0, typed: false, back: null, restoring: null, focused: false, seeking: false,
      place: null, autoFocused: null, live: null, announced: null, saying: 0,
      settling: 0, settleShown: "", search: "", logged: false, query: "",
    };
    install(kb);
  }
  kb.send = setTriggerValue;
  // The theme's background, for what the app's CSS keeps on screen over scrolled content.
  const app = document.querySelector(".stApp");
  if (app) {
    const background = getComputedStyle(app).backgroundColor;
    document.documentElement.style.setProperty("--kb-background", background);
  }
  kb.run = data?.run ?? 0; // tests wait for this number to change
  kb.typed = false; // this run's address change, if any, is made
  kb.wait = data?.wait ?? 150;
  kb.settleWait = data?.settle ?? 2000;
  kb.query = (data?.query ?? "").trim();
  const box = document.querySelector(BOX);
  const shown = box && box.value.trim() === kb.query; // nothing typed since
  if (shown) document.body.classList.remove("kb-typing");
  if (shown || !box) announce(kb, data?.announce ?? "");
  // A search newly on screen (its words or filters), not logged: wait for it to settle.
  kb.logged = Boolean(data?.logged);
  const search = data?.search ?? "";
  if (search !== kb.search || kb.logged) {
    kb.search = search;
    clearTimeout(kb.settling);
    if (search && !kb.logged && shown) waitToSettle(kb);
  }
  if (kb.settleShown && kb.settleShown === kb.query) {
    kb.settleShown = "";
    settle(kb, kb.query); // Enter was pressed for these results
  }
  if (!box) document.body.classList.remove("kb-typing");
  if (!kb.focused && !kb.seeking) {
    // On load only: later runs must not take the focus from other widgets. After Streamlit
    // has finished wiring the box (focused earlier, its first Enter was lost); on a cold
    // start the box may be drawn after this run's end (its code loads late): look for it a
    // few times (a page view has none: a later run with the box focuses it then).
    kb.seeking = true;
    let tries = 0;
    const focus = () => {
      const found = document.querySelector(BOX);
      if (found) {
        kb.focused = true;
        if (document.activeElement === document.body) {
          found.focus({ preventScroll: true });
          kb.autoFocused = found;
        }
      }
      if (found || ++tries >= 30) kb.seeking = false;
      else setTimeout(focus, 100);
    };
    setTimeout(focus, 0);
  }
  showPlace(kb, Boolean(data?.back));
  reachScrollers();
}
