#!/bin/sh
# Start CUPS with a CUPS-PDF queue, the receipt printer of the tests: what is printed to it
# lands as a PDF file in one folder. Prints KIOSK_TEST_PRINTER (the queue) and
# KIOSK_TEST_PRINTED (the folder).
set -eu

queue=kiosk-receipts
out=/var/spool/cups-pdf/kiosk
if ! command -v cupsd >/dev/null 2>&1 || ! command -v lpadmin >/dev/null 2>&1; then
	echo "cups.sh: CUPS is not installed (make system-packages installs it)" >&2
	exit 1
fi
ppd=$(ls /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd 2>/dev/null || true)
if [ -z "$ppd" ]; then
	echo "cups.sh: CUPS-PDF is not installed (printer-driver-cups-pdf)" >&2
	exit 1
fi

# Every job, whoever sends it, lands in one folder the tests can read.
mkdir -p "$out"
chmod 0777 "$out"
conf=/etc/cups/cups-pdf.conf
if ! grep -q "^Out $out\$" "$conf"; then
	sed -i -e '/^Out /d' -e '/^AnonDirName /d' -e '/^UserUMask /d' "$conf"
	printf 'Out %s\nAnonDirName %s\nUserUMask 0000\n' "$out" "$out" >>"$conf"
fi

if ! lpstat -r 2>/dev/null | grep -q "is running"; then
	cupsd >&2
	tries=0
	until lpstat -r 2>/dev/null | grep -q "is running"; do
		tries=$((tries + 1))
		if [ $tries -gt 100 ]; then
			echo "cups.sh: cupsd did not start (see /var/log/cups/error_log)" >&2
			exit 1
		fi
		sleep 0.1
	done
fi
if ! lpstat -p "$queue" >/dev/null 2>&1; then
	lpadmin -p "$queue" -E -v cups-pdf:/ -P "$ppd" >&2
fi
cupsenable "$queue"
cupsaccept "$queue"

echo "KIOSK_TEST_PRINTER=$queue"
echo "KIOSK_TEST_PRINTED=$out"
