// The case page's photo viewer: a photo tapped opens at the window's size, with the next and
// the previous, and closes with its button or Escape (a <dialog> does that by itself).
"use strict";

(() => {
  const photos = [...document.querySelectorAll("#files a.photo-link")];
  const viewer = document.getElementById("viewer");
  if (!viewer || photos.length === 0) return;
  const shown = viewer.querySelector("img");
  const count = viewer.querySelector(".count");
  let at = 0;
  const show = (index) => {
    at = (index + photos.length) % photos.length;
    shown.src = photos[at].href;
    count.textContent = `${at + 1} / ${photos.length}`;
  };
  photos.forEach((link, index) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      show(index);
      viewer.showModal();
    });
  });
  viewer.querySelector(".previous").onclick = () => show(at - 1);
  viewer.querySelector(".next").onclick = () => show(at + 1);
  viewer.querySelector(".close").onclick = () => viewer.close();
  viewer.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft") show(at - 1);
    if (event.key === "ArrowRight") show(at + 1);
  });
})();
