// The review page's behaviour: the words follow playback; clicks and keys seek.
// Every time comes from a data attribute the page was written with, in seconds.
(() => {
  "use strict";

  // A word stays lit this long after its end, so that short gaps do not flicker.
  const HOLD_S = 0.15;
  // Seeking leaves currentTime a hair off; a moment this close counts as "here".
  const NEAR_S = 0.05;

  const takes = [...document.querySelectorAll(".take")].map(setUp);
  let active = takes.find((take) => !take.element.hidden) || null;

  function setUp(element) {
    const take = {
      element,
      audio: element.querySelector("audio"),
      duration: Number(element.dataset.duration),
      // words and long pauses, in the order they were said
      timed: [...element.querySelectorAll(".transcript [data-end]")].map((node) => ({
        node, start: Number(node.dataset.start), end: Number(node.dataset.end),
      })),
      // fillers and long pauses: where the arrow keys jump
      moments: [...element.querySelectorAll("[data-moment]")]
        .map((node) => Number(node.dataset.moment)).sort((a, b) => a - b),
      playhead: element.querySelector(".playhead"),
      lit: null,
    };
    element.addEventListener("pointerdown", () => { active = take; });
    element.addEventListener("focusin", () => { active = take; });
    element.addEventListener("click", (event) => onClick(take, event));
    if (take.audio) {
      take.audio.addEventListener("play", () => onPlay(take));
      take.audio.addEventListener("timeupdate", () => show(take));
      take.audio.addEventListener("seeked", () => show(take));
    }
    return take;
  }

  function onClick(take, event) {
    const timeline = event.target.closest(".timeline");
    if (timeline) {
      const box = timeline.getBoundingClientRect();
      seek(take, (event.clientX - box.left) / box.width * take.duration);
      return;
    }
    const timed = event.target.closest("[data-start]");
    if (timed) seek(take, Number(timed.dataset.start));
  }

  // timeupdate fires only a few times a second: follow every frame while playing.
  function onPlay(take) {
    active = take;
    for (const other of takes) {
      if (other !== take && other.audio) other.audio.pause();
    }
    const follow = () => {
      show(take);
      if (!take.audio.paused) requestAnimationFrame(follow);
    };
    requestAnimationFrame(follow);
  }

  function seek(take, seconds) {
    if (!take.audio) return;
    take.audio.currentTime = Math.max(0, Math.min(seconds, take.duration));
    show(take);
  }

  // Light the word (or long pause) being said, and move the playhead.
  function show(take) {
    const now = take.audio.currentTime;
    const index = spokenAt(take.timed, now);
    const node = index < 0 ? null : take.timed[index].node;
    if (node !== take.lit) {
      if (take.lit) take.lit.classList.remove("now");
      if (node) node.classList.add("now");
      take.lit = node;
    }
    take.playhead.style.left = `${Math.min(100, now / take.duration * 100)}%`;
  }

  // The last token starting at or before `now`, while it is still being said (-1 if none).
  function spokenAt(timed, now) {
    let low = 0;
    let high = timed.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (timed[middle].start <= now) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found >= 0 && now < timed[found].end + HOLD_S ? found : -1;
  }

  function jump(take, direction) {
    const now = take.audio.currentTime;
    const target = direction > 0
      ? take.moments.find((t) => t > now + NEAR_S)
      : take.moments.filter((t) => t < now - NEAR_S).pop();
    if (target === undefined) return;
    seek(take, target);
    if (take.lit) take.lit.scrollIntoView({ block: "nearest" });
  }

  function selectTake(tab) {
    for (const each of tab.parentNode.querySelectorAll("[role=tab]")) {
      const selected = each === tab;
      const take = takes.find((t) => t.element.id === each.getAttribute("aria-controls"));
      each.setAttribute("aria-selected", String(selected));
      take.element.hidden = !selected;
      if (selected) active = take;
      else if (take.audio) take.audio.pause();
    }
  }

  for (const tab of document.querySelectorAll("[role=tab]")) {
    tab.addEventListener("click", () => selectTake(tab));
  }

  // Captured on the window, so that the keys mean the same wherever the focus is, even
  // on a player (whose own arrow keys would skip by seconds instead).
  window.addEventListener("keydown", (event) => {
    if (!active || !active.audio || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest && event.target.closest("input, select, textarea")) return;
    if (event.key === " ") {
      if (active.audio.paused) {
        // a pause before playback has begun rejects play(): the user's choice, not an error
        active.audio.play().catch((error) => {
          if (error.name !== "AbortError") throw error;
        });
      } else {
        active.audio.pause();
      }
    } else if (event.key === "ArrowRight") {
      jump(active, 1);
    } else if (event.key === "ArrowLeft") {
      jump(active, -1);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }, true);
})();
