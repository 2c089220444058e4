package io.tandem.demo.notes;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchFrameException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Real headless Chromium driven by Selenium, with Debian's browser and driver at explicit paths
 * (overridable by TANDEM_CHROMIUM and TANDEM_CHROMEDRIVER) so Selenium Manager never runs and
 * nothing is downloaded. A missing browser fails the test: browser tests are never skipped.
 */
final class Browser implements AutoCloseable {

  static final String CHROMIUM = env("TANDEM_CHROMIUM", "/usr/bin/chromium");
  static final String CHROMEDRIVER = env("TANDEM_CHROMEDRIVER", "/usr/bin/chromedriver");

  final WebDriver driver;
  private final WebDriverWait wait;

  Browser(Path profile) {
    for (String exe : new String[] {CHROMIUM, CHROMEDRIVER}) {
      if (!Files.isExecutable(Path.of(exe))) {
        throw new AssertionError(exe + " is missing: install Debian's chromium and "
            + "chromium-driver (.ci/run does), or point TANDEM_CHROMIUM/TANDEM_CHROMEDRIVER at them");
      }
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile.toAbsolutePath(),
        "--window-size=1500,1000");
    this.driver = new ChromeDriver(service, options);
    this.wait = new WebDriverWait(driver, Await.PATIENCE, Duration.ofMillis(50));
    wait.ignoring(StaleElementReferenceException.class).ignoring(NoSuchFrameException.class)
        .ignoring(org.openqa.selenium.NoSuchElementException.class);
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  void open(String url) {
    driver.get(url);
  }

  /** Waits until {@code check}, run inside the pane of {@code device}, returns non-null/true. */
  <T> T inPane(String device, String what, Function<WebDriver, T> check) {
    return wait.withMessage(() -> device + ": " + what + " (the pane says: " + said() + ")")
        .until(d -> {
      d.switchTo().defaultContent();
      d.switchTo().frame("pane-" + device.toLowerCase());
      T v = check.apply(d);
      return v instanceof Boolean b && !b ? null : v;
    });
  }

  /** The pane's sync chip and its last error toast, to tell why a wait failed. */
  private String said() {
    try {
      return driver.findElement(By.id("sync")).getText() + "; "
          + driver.findElement(By.id("toast")).getAttribute("textContent");
    } catch (RuntimeException e) {
      return "?";
    }
  }

  /** Waits for an element in a device's pane and returns it (the driver stays in that pane). */
  WebElement find(String device, By by) {
    return inPane(device, "an element " + by, d -> {
      WebElement e = d.findElement(by);
      return e.isDisplayed() ? e : null;
    });
  }

  /** Types into an element; if the page replaced it meanwhile, finds it again and retypes. */
  void type(String device, By by, String text) {
    inPane(device, "typing into " + by, d -> {
      WebElement e = d.findElement(by);
      e.clear();
      e.sendKeys(text);
      return true;
    });
  }

  /** Clicks an element; if the page replaced it meanwhile, finds it again and clicks. */
  void click(String device, By by) {
    inPane(device, "clicking " + by, d -> {
      WebElement e = d.findElement(by);
      if (!e.isDisplayed()) {
        return false;
      }
      e.click();
      return true;
    });
  }

  /** The text of an element in a pane, once it shows {@code expected}. */
  void awaitText(String device, By by, String expected) {
    inPane(device, "'" + expected + "' in " + by, d -> d.findElements(by).stream()
        .anyMatch(e -> e.getText().contains(expected)));
  }

  @Override
  public void close() {
    driver.quit();
  }
}
