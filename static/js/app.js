// Progressive enhancement only: the pages work without this file.
document.documentElement.classList.add("js");

// A form shown again with errors: put the keyboard on the first field that needs fixing.
document.addEventListener("DOMContentLoaded", () => {
  const first = document.querySelector("form [aria-invalid='true']");
  if (first) first.focus();
});
