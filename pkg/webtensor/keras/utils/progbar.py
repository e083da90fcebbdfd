"""Keras's progress bar: `32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step - loss: 0.1234` on sys.stdout."""
import sys
import time

_BAR = "\u2501"


class Progbar:
    """A progress bar for `target` steps: live on a terminal (verbose=1), one line at the end (verbose=2).

    >>> bar = tf.keras.utils.Progbar(10)
    >>> bar.update(10, values=[("loss", 0.5)], finalize=True)
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None, unit_name="step"):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self._values = {}
        self._start = time.time()
        self._last_update = 0.0
        self._seen = 0
        stream = sys.stdout
        self._dynamic = (hasattr(stream, "isatty") and stream.isatty()) or "ipykernel" in sys.modules
        self._prev_len = 0

    def update(self, current, values=None, finalize=None):
        """Shows progress `current` with (name, value) pairs (values are the latest, as Keras logs are)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            self._values[name] = value
        self._seen = current
        now = time.time()
        if self.verbose == 1:
            if not finalize and now - self._last_update < self.interval:
                return
            line = self._line(current, now, finalize)
            if self._dynamic:
                pad = max(0, self._prev_len - len(line))
                sys.stdout.write("\r" + line + " " * pad + ("\n" if finalize else ""))
                self._prev_len = len(line)
            elif finalize:
                sys.stdout.write(line + "\n")
            sys.stdout.flush()
        elif self.verbose == 2 and finalize:
            elapsed = now - self._start
            digits = len(str(self.target if self.target is not None else current))
            line = f"{str(current).rjust(digits)}/{self.target if self.target is not None else '?'} - " \
                   f"{_format_time(elapsed)} - {_per_unit(elapsed, current, self.unit_name)}{self._info()}"
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        self._last_update = now

    def add(self, n, values=None):
        self.update(self._seen + n, values)

    def _line(self, current, now, finalize):
        elapsed = now - self._start
        if self.target is not None:
            digits = len(str(self.target))
            done = int(self.width * min(current, self.target) / max(self.target, 1))
            bar = _BAR * done + _BAR * (self.width - done)
            if self._dynamic:
                bar = "\x1b[32m" + _BAR * done + "\x1b[0m\x1b[37m" + _BAR * (self.width - done) + "\x1b[0m"
            head = f"{str(current).rjust(digits)}/{self.target} {bar}"
        else:
            head = f"{current}/Unknown"
        if finalize or self.target is None or current == 0:
            timing = f"{_format_time(elapsed)} {_per_unit(elapsed, current, self.unit_name)}"
        else:
            eta = elapsed / current * (self.target - current)
            timing = f"{_format_time(eta)} {_per_unit(elapsed, current, self.unit_name)}"
        return f"{head} {timing}{self._info()}"

    def _info(self):
        parts = []
        for name, value in self._values.items():
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue
            parts.append(f" - {name}: {value:.4e}" if 0 < abs(value) < 1e-3 else f" - {name}: {value:.4f}")
        return "".join(parts)


def _format_time(seconds):
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


def _per_unit(elapsed, current, unit):
    if not current:
        return f"0s/{unit}"
    per = elapsed / current
    if per >= 1:
        return f"{per:.0f}s/{unit}"
    if per >= 1e-3:
        return f"{per * 1e3:.0f}ms/{unit}"
    return f"{per * 1e6:.0f}us/{unit}"
