// Progressive enhancement only: the pages work without this file.
document.documentElement.classList.add("js");
