package io.tandem.transport.vertx;

import java.security.KeyStore;
import java.security.Provider;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;

/**
 * Factories that hand out one given manager, for {@code KeyCertOptions.wrap(KeyManagerFactory)}
 * and {@code TrustOptions.wrap(TrustManagerFactory)}. Vert.x 5.1.6's own
 * {@code wrap(X509KeyManager)} and {@code wrap(TrustManager)} build wrappers that log through
 * SLF4J and fail with NoClassDefFoundError when SLF4J is absent, as it is here.
 */
final class ManagerFactories {

  private static final String ALGORITHM = "tandem-pinned";
  private static final Provider PROVIDER =
      new Provider("tandem", "1", "one fixed key or trust manager") {
        private static final long serialVersionUID = 1L;
      };

  private ManagerFactories() {}

  static KeyManagerFactory of(KeyManager manager) {
    return new KeyManagerFactory(new KeyManagerFactorySpi() {
      @Override
      protected void engineInit(KeyStore keyStore, char[] password) {}

      @Override
      protected void engineInit(ManagerFactoryParameters parameters) {}

      @Override
      protected KeyManager[] engineGetKeyManagers() {
        return new KeyManager[] {manager};
      }
    }, PROVIDER, ALGORITHM) {};
  }

  static TrustManagerFactory of(TrustManager manager) {
    return new TrustManagerFactory(new TrustManagerFactorySpi() {
      @Override
      protected void engineInit(KeyStore keyStore) {}

      @Override
      protected void engineInit(ManagerFactoryParameters parameters) {}

      @Override
      protected TrustManager[] engineGetTrustManagers() {
        return new TrustManager[] {manager};
      }
    }, PROVIDER, ALGORITHM) {};
  }
}
