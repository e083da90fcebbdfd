"""TensorFlow's error classes (``tf.errors``)."""

OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND = 0, 1, 2, 3, 4, 5
ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION = 6, 7, 8, 9
ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS = 10, 11, 12, 13, 14, 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """The base error of a failed op; ``message`` is TensorFlow's text, ``op`` the op name."""

    error_code = UNKNOWN

    def __init__(self, node_def=None, op=None, message="", *args):
        super().__init__(message)
        self.node_def = node_def
        self.op = op
        self.message = message

    def __str__(self):
        return self.message


def _make(name, code, doc):
    return type(name, (OpError,), {"error_code": code, "__doc__": doc})


CancelledError = _make("CancelledError", CANCELLED, "An operation was cancelled.")
UnknownError = _make("UnknownError", UNKNOWN, "An unknown error.")
InvalidArgumentError = _make("InvalidArgumentError", INVALID_ARGUMENT, "An op received an invalid argument.")
DeadlineExceededError = _make("DeadlineExceededError", DEADLINE_EXCEEDED, "A deadline expired.")
NotFoundError = _make("NotFoundError", NOT_FOUND, "A requested entity was not found.")
AlreadyExistsError = _make("AlreadyExistsError", ALREADY_EXISTS, "An entity already exists.")
PermissionDeniedError = _make("PermissionDeniedError", PERMISSION_DENIED, "Permission denied.")
ResourceExhaustedError = _make("ResourceExhaustedError", RESOURCE_EXHAUSTED, "Out of memory or another resource.")
FailedPreconditionError = _make("FailedPreconditionError", FAILED_PRECONDITION,
                                "The system is not in a state to run the op.")
AbortedError = _make("AbortedError", ABORTED, "The operation was aborted.")
OutOfRangeError = _make("OutOfRangeError", OUT_OF_RANGE, "Iterated past the valid range.")
UnimplementedError = _make("UnimplementedError", UNIMPLEMENTED, "The op is not implemented here.")
InternalError = _make("InternalError", INTERNAL, "An internal invariant was broken.")
UnavailableError = _make("UnavailableError", UNAVAILABLE, "The runtime is unavailable.")
DataLossError = _make("DataLossError", DATA_LOSS, "Unrecoverable data loss or corruption.")
UnauthenticatedError = _make("UnauthenticatedError", UNAUTHENTICATED, "No valid credentials.")


class DTypeMismatchError(InvalidArgumentError, TypeError):
    """Two inputs of an op have different dtypes.

    It is a TypeError (as TensorFlow raises while tracing) and an
    InvalidArgumentError (as TensorFlow raises eagerly), so either ``except`` works.
    """


def incompatible_shapes(op, a, b):
    """The InvalidArgumentError TensorFlow raises when two shapes do not broadcast."""
    return InvalidArgumentError(None, op, f"Incompatible shapes: {_fmt(a)} vs. {_fmt(b)} [Op:{op}]")


def _fmt(shape):
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


def _reduce(self):
    return type(self), (self.node_def, self.op, self.message)


OpError.__reduce__ = _reduce

_BY_CODE = {cls.error_code: cls for cls in (
    CancelledError, UnknownError, InvalidArgumentError, DeadlineExceededError, NotFoundError, AlreadyExistsError,
    PermissionDeniedError, ResourceExhaustedError, FailedPreconditionError, AbortedError, OutOfRangeError,
    UnimplementedError, InternalError, UnavailableError, DataLossError, UnauthenticatedError)}


def exception_type_from_error_code(error_code):
    """The OpError subclass for a canonical error code.

    >>> tf.errors.exception_type_from_error_code(tf.errors.INVALID_ARGUMENT)
    <class 'webtensor.errors.InvalidArgumentError'>
    """
    return _BY_CODE[error_code]


def error_code_from_exception_type(cls):
    """The canonical error code of an OpError subclass (UNKNOWN for anything else)."""
    return getattr(cls, "error_code", UNKNOWN)
