// "Kopier" buttons: copy the text of the field named in data-copy. Without JavaScript the
// field is still there to select and copy by hand.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById("copy-status");
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
    if (status) status.textContent = "Adressen er kopiert.";
  } catch {
    document.execCommand("copy");
    if (status) status.textContent = "Adressen er merket; trykk Ctrl+C eller ⌘C for å kopiere.";
  }
});
