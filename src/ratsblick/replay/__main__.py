"""`python -m ratsblick.replay`: serve the recorded council, the sample body or a synthetic city."""

from __future__ import annotations

import argparse
import time

from ratsblick.replay.dataset import Dataset, RecordedDataset
from ratsblick.replay.sample import sample_dataset
from ratsblick.replay.server import Faults, ReplayServer
from ratsblick.replay.synthetic import SyntheticCity


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", action="store_true", help="a generated large city")
    parser.add_argument("--sample", action="store_true", help="the small sample body with PDFs")
    parser.add_argument(
        "--sample-papers",
        default="1,2,3,4",
        help="which of the sample's papers, e.g. 1 (text layers only; 2 and 3 need OCR)",
    )
    parser.add_argument("--papers", type=int, default=300_000)
    parser.add_argument("--files", type=int, default=1_000_000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per response")
    args = parser.parse_args()
    dataset: Dataset
    if args.synthetic:
        dataset = SyntheticCity(
            papers=args.papers, files=args.files, meetings=max(100, args.papers // 15)
        )
    elif args.sample:
        dataset = sample_dataset(tuple(int(n) for n in args.sample_papers.split(",")))
    else:
        dataset = RecordedDataset.load()
    faults = Faults(latency=args.latency, empty_list_404=not (args.synthetic or args.sample))
    with ReplayServer(dataset, port=args.port, faults=faults) as server:
        print(server.system_url, flush=True)
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    main()
