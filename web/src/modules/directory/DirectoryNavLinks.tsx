/**
 * The header's links to the directory pages (list items for the frame's navigation list). Each area of the
 * directory adds its link here, shown by the signed-in person's abilities where it needs them.
 */
export function DirectoryNavLinks() {
  return <></>;
}
