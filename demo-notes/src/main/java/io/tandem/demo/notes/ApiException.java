package io.tandem.demo.notes;

/**
 * A request the API refuses, with the HTTP status to answer and a message a person can act on.
 * Thrown before any write, so a refused request changes nothing.
 */
final class ApiException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;

  ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  static ApiException notFound(String what, String id) {
    return new ApiException(404, "no " + what + " with id " + id);
  }

  int status() {
    return status;
  }
}
