#!/bin/sh
# Render a report.html in headless Chromium and check that every image
# loads, nothing is wider than the page and no identifier ("SMB-Q") wraps
# at its hyphen.  Installs Debian's chromium when
# it is missing and we are root.  Also leaves a screenshot next to the copy.
# usage: scripts/browser-check.sh REPORT_DIR [WIDTH]
set -eu
dir=$1
width=${2:-1024}
[ -f "$dir/report.html" ] || { echo "browser-check: no $dir/report.html"; exit 1; }
. "$(dirname "$0")/need.sh"
need browser-check chromium chromium
tmp=$(mktemp -d /tmp/compsight-browser.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
cp -R "$dir"/. "$tmp/"
# A page that loads the report in a frame of the given width and writes
# what it finds into its own DOM, which --dump-dom prints.
cat >"$tmp/check.html" <<HTML
<!DOCTYPE html><html><body>
<iframe id="f" src="report.html" style="width:${width}px;height:900px;border:0"></iframe>
<script>
document.getElementById('f').onload = function () {
  var d = this.contentDocument, imgs = Array.prototype.slice.call(d.images);
  var broken = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length;
  var vw = d.documentElement.clientWidth, wide = [];
  Array.prototype.forEach.call(d.body.querySelectorAll('*'), function (e) {
    var r = e.getBoundingClientRect();
    if (r.right > vw + 1 && getComputedStyle(e).position !== 'fixed') wide.push(e.tagName);
  });
  // identifiers kept on one line (class nw): a plan id never reads "SMB-" / "Q"
  var wrapped = Array.prototype.filter.call(d.querySelectorAll('.nw'), function (e) {
    return e.getClientRects().length > 1;
  }).length;
  var out = document.createElement('pre');
  out.id = 'result';
  out.textContent = 'RESULT images=' + imgs.length + ' broken=' + broken +
      ' scroll=' + (d.documentElement.scrollWidth > vw) + ' wrapped=' + wrapped +
      ' ids=' + d.querySelectorAll('.nw').length +
      ' wide=' + wide.length + ' ' + wide.slice(0, 5).join(',');
  document.body.appendChild(out);
};
</script></body></html>
HTML
flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --allow-file-access-from-files
       --user-data-dir=$tmp/profile --virtual-time-budget=10000"
# shellcheck disable=SC2086
result=$(chromium $flags --dump-dom "file://$tmp/check.html" 2>/dev/null | grep -o 'RESULT images=[0-9][^<]*' || true)
# shellcheck disable=SC2086
chromium $flags --window-size="$width,3000" --screenshot="$dir/report-screenshot.png" \
    "file://$tmp/report.html" >/dev/null 2>&1 || true
echo "browser-check: $dir: ${result:-no result (the page did not load)}"
case $result in
    *"broken=0 scroll=false wrapped=0 ids="*" wide=0"*) exit 0 ;;
    *) exit 1 ;;
esac
