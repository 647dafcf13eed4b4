"""Entry point of the PyInstaller build (``dist/explorer/explorer``).

The frozen program is the installed ``explorer`` command with two differences that must
hold before anything imports huggingface_hub or transformers:

* the Hugging Face hub is forced offline: the model ships inside the bundle and the binary
  must never reach for the network, not even for a "is there a newer revision?" check;
* ``multiprocessing`` is told it runs frozen, so a worker process started by torch or a
  library re-enters here as a worker instead of starting a second copy of the program.
"""

import multiprocessing
import os
import sys

# Forced, not setdefault: a user's shell with HF_HUB_OFFLINE=0 must not make the binary
# download anything. Telemetry off for the same reason.
for _name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
    os.environ[_name] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


def _main() -> int:
    from explorer.cli import main

    return main()


if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(_main())
