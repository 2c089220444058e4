package io.tandem.transport.vertx;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the device's one certificate, as client and as server, whatever issuers the peer
 * asks for: the peer trusts pinned keys, not issuers. It offers the key only for the EC key
 * type, so the JDK never tries it where an RSA key is asked for.
 */
final class DeviceKeyManager extends X509ExtendedKeyManager {

  private final PrivateKey privateKey;
  private final X509Certificate[] chain;

  DeviceKeyManager(PrivateKey privateKey, X509Certificate certificate) {
    this.privateKey = privateKey;
    this.chain = new X509Certificate[] {certificate};
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return ours(keyType) ? new String[] {DeviceIdentity.ALIAS} : null;
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return chooseAny(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return chooseAny(keyTypes);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return getClientAliases(keyType, issuers);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return ours(keyType) ? DeviceIdentity.ALIAS : null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return ours(keyType) ? DeviceIdentity.ALIAS : null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return DeviceIdentity.ALIAS.equals(alias) ? chain.clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return DeviceIdentity.ALIAS.equals(alias) ? privateKey : null;
  }

  private String chooseAny(String[] keyTypes) {
    if (keyTypes != null) {
      for (String keyType : keyTypes) {
        if (ours(keyType)) {
          return DeviceIdentity.ALIAS;
        }
      }
    }
    return null;
  }

  private static boolean ours(String keyType) {
    // SunJSSE asks TLS 1.3 servers for "EC"; TLS 1.2 clients ask for "EC" or "EC_EC".
    return keyType != null && (keyType.equals("EC") || keyType.startsWith("EC_"));
  }
}
