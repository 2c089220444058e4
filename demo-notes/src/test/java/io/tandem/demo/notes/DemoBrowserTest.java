package io.tandem.demo.notes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The demo page in real headless Chromium: three panes, each its own device's page and server.
 * Every step is done through the page, as a person would; waits poll, never sleep.
 */
class DemoBrowserTest extends OnTheDemo {

  static final List<String> ALL = List.of("phone", "tablet", "PC");

  @TempDir
  static Path profile;
  static Browser browser;

  @BeforeAll
  static void openBrowser() {
    browser = new Browser(profile);
  }

  @AfterAll
  static void closeBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @BeforeEach
  void openDemoPage() {
    browser.open(demo.url());
  }

  @AfterEach
  void everyoneBackOnline() {
    for (Http d : List.of(phone, tablet, pc)) {
      d.put("network", Map.of("online", true));
    }
  }

  static By note(String id) {
    return By.cssSelector("#notes li.note[data-id='" + id + "']");
  }

  /** Adds a note through the phone's form and returns its id, read from the page. */
  static String addNoteOnThePhone(String title, String body) {
    browser.type("phone", By.id("new-note-title"), title);
    browser.type("phone", By.id("new-note-body"), body);
    browser.click("phone", By.id("add-note"));
    return browser.inPane("phone", "the new note", d -> d.findElements(
        By.cssSelector("#notes li.note")).stream()
        .filter(li -> li.findElement(By.className("title")).getText().equals(title))
        .map(li -> li.getAttribute("data-id")).findFirst().orElse(null));
  }

  static void goOffline(String device, boolean offline) {
    browser.click(device, By.id("offline"));
    browser.awaitText(device, By.id("sync"), offline ? "offline" : "in sync");
  }

  static void retitle(String device, String id, String title) {
    browser.click(device, By.cssSelector("#notes li.note[data-id='" + id + "'] .edit"));
    browser.type(device, By.cssSelector("#notes li.note[data-id='" + id + "'] .edit-title"),
        title);
    browser.click(device, By.cssSelector("#notes li.note[data-id='" + id + "'] .save"));
  }

  @Test
  void aNoteTypedOnThePhoneAppearsOnThePc() {
    String id = addNoteOnThePhone("Buy milk", "two litres");
    browser.awaitText("PC", note(id), "Buy milk");
    browser.awaitText("PC", note(id), "two litres");
  }

  @Test
  void anOfflineTabletAndThePcRetitleOneNoteAndAllThreeShowTheSameMerge() throws Exception {
    String id = addNoteOnThePhone("Weekend", "");
    browser.awaitText("tablet", note(id), "Weekend");
    browser.awaitText("PC", note(id), "Weekend");

    goOffline("tablet", true);
    retitle("tablet", id, "Weekend in Lyon");
    retitle("PC", id, "Weekend at home");
    // Apart, each shows only its own title.
    browser.awaitText("tablet", note(id), "Weekend in Lyon");
    browser.awaitText("PC", note(id), "Weekend at home");
    goOffline("tablet", false);

    // Both titles were written without seeing each other: every pane keeps both, the same way,
    // and asks the person to pick.
    By choices = By.cssSelector("#notes li.note[data-id='" + id + "'] .conflict .pick");
    for (String device : ALL) {
      List<String> shown = browser.inPane(device, "both titles", d -> {
        List<String> texts = d.findElements(choices).stream().map(WebElement::getText)
            .collect(Collectors.toList());
        return texts.size() == 2 ? texts : null;
      });
      assertThat(shown).containsExactly("Weekend at home", "Weekend in Lyon");
    }
    screenshot("demo-three-devices.png");

    browser.click("phone", By.cssSelector("#notes li.note[data-id='" + id
        + "'] .conflict .pick[data-value='Weekend in Lyon']"));
    for (String device : ALL) {
      browser.inPane(device, "the picked title", d -> {
        WebElement li = d.findElement(note(id));
        return li.findElements(By.className("conflict")).isEmpty()
            && li.findElement(By.className("title")).getText().equals("Weekend in Lyon");
      });
    }
  }

  @Test
  void theTitleBeingTypedKeepsTheFocusWhileAnotherDevicesNoteArrives() {
    String id = addNoteOnThePhone("Focus", "");
    browser.awaitText("PC", note(id), "Focus");
    browser.click("PC", By.cssSelector("#notes li.note[data-id='" + id + "'] .edit"));
    browser.inPane("PC", "the title editor has the focus", d -> typingInto(d, id));

    String other = phone.post("notes", Map.of("title", "Arrives while typing")).json()
        .getString("id");
    browser.awaitText("PC", note(other), "Arrives while typing");
    // The list was rebuilt around the editor; keys typed now must still land in it.
    String focus = browser.inPane("PC", "the focus, checked",
        d -> typingInto(d, id) ? "kept" : "lost");
    assertThat(focus).isEqualTo("kept");
    browser.click("PC", By.cssSelector("#notes li.note[data-id='" + id + "'] .cancel"));
  }

  private static boolean typingInto(org.openqa.selenium.WebDriver d, String id) {
    return Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
        "const e = document.activeElement;"
            + " return e !== null && e.classList.contains('edit-title')"
            + " && e.closest('li').dataset.id === arguments[0];", id));
  }

  @Test
  void aContactFromThePhoneGetsADraftOnTheTabletThatThePcFinishesAndSends() {
    browser.type("phone", By.id("new-contact-name"), "Ann");
    browser.type("phone", By.id("new-contact-email"), "ann@example.org");
    browser.click("phone", By.id("add-contact"));

    browser.inPane("tablet", "Ann to write to", d -> d.findElements(
        By.cssSelector("#new-message-to option")).stream()
        .anyMatch(o -> o.getText().equals("To Ann")));
    new Select(browser.find("tablet", By.id("new-message-to"))).selectByVisibleText("To Ann");
    browser.type("tablet", By.id("new-message-body"), "Hi Ann, about Sunday:");
    browser.click("tablet", By.id("save-draft"));
    browser.awaitText("tablet", By.cssSelector("#messages li.message[data-status='draft']"),
        "Hi Ann, about Sunday:");

    By draft = By.cssSelector("#messages li.message[data-status='draft']");
    browser.awaitText("PC", draft, "Hi Ann, about Sunday:");
    browser.click("PC", By.cssSelector("#messages li.message[data-status='draft'] .open"));
    WebElement body = browser.find("PC", By.cssSelector(".message-editor .edit-body"));
    body.sendKeys(" lunch at noon?");
    browser.click("PC", By.cssSelector(".message-editor .send"));

    for (String device : ALL) {
      browser.awaitText(device, By.cssSelector("#contacts .name"), "Ann");
      browser.awaitText(device, By.cssSelector("#messages li.message[data-status='sent']"),
          "Hi Ann, about Sunday: lunch at noon?");
      browser.awaitText(device, By.cssSelector("#messages li.message[data-status='sent']"),
          "To Ann");
    }
  }

  @Test
  void aDeliveryReceiptTurnsToOnPcOnceThePcHasTheNote() {
    goOffline("PC", true);
    String id = addNoteOnThePhone("Passport numbers", "keep safe");
    browser.awaitText("phone", By.cssSelector("#notes li.note[data-id='" + id + "'] .receipt"),
        "on PC …");
    goOffline("PC", false);
    browser.awaitText("phone", By.cssSelector("#notes li.note[data-id='" + id + "'] .receipt"),
        "on PC ✓");
    browser.awaitText("PC", note(id), "Passport numbers");
  }

  /**
   * "Typing…" goes over the ephemeral channel: to the devices connected at that moment. The
   * tablet is offline while the phone types, so it never shows it, not even once back online.
   */
  @Test
  void typingOnThePhoneShowsOnThePcAndNeverOnTheOfflineTablet() throws Exception {
    String id = addNoteOnThePhone("Shopping", "");
    browser.awaitText("PC", note(id), "Shopping");
    browser.awaitText("tablet", note(id), "Shopping");
    goOffline("tablet", true);

    browser.click("phone", By.cssSelector("#notes li.note[data-id='" + id + "'] .edit"));
    browser.find("phone", By.cssSelector("#notes li.note[data-id='" + id + "'] .edit-title"))
        .sendKeys(" list");
    browser.awaitText("PC", By.id("typing"), "phone is typing… (Shopping)");
    screenshot("demo-typing.png");
    // Said while the PC showed it: the offline tablet did not hear it.
    assertThat(tablet.get("state").json().getJsonArray("typing")).isEmpty();

    goOffline("tablet", false);
    browser.inPane("tablet", "no typing shown", d -> !d.findElement(By.id("typing"))
        .isDisplayed());
    assertThat(tablet.get("state").json().getJsonArray("typing")).isEmpty();
    assertThat(phone.get("state").json().getJsonArray("typing")).as("nor on the typist's own")
        .isEmpty();
    browser.click("phone", By.cssSelector("#notes li.note[data-id='" + id + "'] .cancel"));
    browser.inPane("PC", "the typing shown for a while only", d -> !d.findElement(
        By.id("typing")).isDisplayed());
  }

  @Test
  void aDevicePageFitsAPhoneScreenWithoutSidewaysScrolling() {
    phone.post("notes", Map.of("title", "A title long enough to wrap on a narrow phone screen",
        "body", "https://example.org/a/very/long/link/without/any/space/to/break/it/at/all/x",
        "tags", List.of("travel", "family", "someday")));
    browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
    try {
      browser.open(demo.device("phone").url());
      org.openqa.selenium.JavascriptExecutor js =
          (org.openqa.selenium.JavascriptExecutor) browser.driver;
      new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, Await.PATIENCE)
          .until(d -> !d.findElements(By.cssSelector("#notes li.note")).isEmpty());
      Number scroll = (Number) js.executeScript("return document.documentElement.scrollWidth");
      Number width = (Number) js.executeScript("return window.innerWidth");
      assertThat(scroll.intValue()).isLessThanOrEqualTo(width.intValue());
    } finally {
      browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1500, 1000));
    }
  }

  /** Saves the whole page to target/screenshots, or to -Dtandem.screenshots=DIR. */
  static void screenshot(String name) throws Exception {
    browser.driver.switchTo().defaultContent();
    Path dir = Path.of(System.getProperty("tandem.screenshots", "target/screenshots"));
    Files.createDirectories(dir);
    byte[] png = ((TakesScreenshot) browser.driver).getScreenshotAs(OutputType.BYTES);
    Files.write(dir.resolve(name), png);
  }
}
