package dev.cairn.install.agent.omaha;

import java.util.Map;

/**
 * Copies of the update server's golden Omaha files ({@code omaha-update-server/src/test/resources/omaha/}):
 * requests as Flatcar's update_engine sends them and the server's answers. Kept here so the agent's
 * tests stand on their own; {@link GoldenCopyTest} fails when a copy and its original differ.
 */
final class Golden {
  private Golden() {}

  /** {@code update-check.xml} */
  static final String UPDATE_CHECK = """
<?xml version="1.0" encoding="UTF-8"?>
<request protocol="3.0" version="update_engine-0.4.10" updaterversion="update_engine-0.4.10" installsource="scheduler" ismachine="1">
    <os version="Chateau" platform="CoreOS" sp="3510.2.1_x86_64"></os>
    <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" version="3510.2.1" track="stable" bootid="{6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1}" oem="qemu" oemversion="0.0.1" alephversion="3374.2.0" machineid="0123456789abcdef0123456789abcdef" machinealias="rack4-node17" lang="en-US" board="amd64-usr" hardware_class="" delta_okay="false" >
        <ping active="1"></ping>
        <updatecheck></updatecheck>
        <event eventtype="3" eventresult="2" previousversion=""></event>
    </app>
</request>
""";

  /** {@code update-check-after-reboot.xml} */
  static final String UPDATE_CHECK_AFTER_REBOOT = """
<?xml version="1.0" encoding="UTF-8"?>
<request protocol="3.0" version="update_engine-0.4.10" updaterversion="update_engine-0.4.10" installsource="ondemandupdate" ismachine="1">
    <os version="Chateau" platform="CoreOS" sp="3510.2.1_x86_64"></os>
    <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" version="3510.2.1" track="stable" bootid="{6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1}" oem="qemu" oemversion="0.0.1" alephversion="3374.2.0" machineid="0123456789abcdef0123456789abcdef" machinealias="rack4-node17" lang="en-US" board="amd64-usr" hardware_class="" delta_okay="false" >
        <ping active="1"></ping>
        <updatecheck></updatecheck>
        <event eventtype="3" eventresult="2" previousversion="3374.2.0"></event>
    </app>
</request>
""";

  /** {@code rollback-event.xml} */
  static final String ROLLBACK_EVENT = """
<?xml version="1.0" encoding="UTF-8"?>
<request protocol="3.0" version="update_engine-0.4.10" updaterversion="update_engine-0.4.10" installsource="scheduler" ismachine="1">
    <os version="Chateau" platform="CoreOS" sp="3510.2.1_x86_64"></os>
    <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" version="3510.2.1" track="stable" bootid="{6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1}" oem="qemu" oemversion="0.0.1" alephversion="3374.2.0" machineid="0123456789abcdef0123456789abcdef" machinealias="rack4-node17" lang="en-US" board="amd64-usr" hardware_class="" delta_okay="false" >
        <ping active="1"></ping>
        <updatecheck></updatecheck>
        <event eventtype="3" eventresult="0" errorcode="44"></event>
    </app>
</request>
""";

  /** {@code event-download-started.xml} */
  static final String EVENT_DOWNLOAD_STARTED = """
<?xml version="1.0" encoding="UTF-8"?>
<request protocol="3.0" version="update_engine-0.4.10" updaterversion="update_engine-0.4.10" installsource="scheduler" ismachine="1">
    <os version="Chateau" platform="CoreOS" sp="3510.2.1_x86_64"></os>
    <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" version="3510.2.1" track="stable" bootid="{6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1}" oem="qemu" oemversion="0.0.1" alephversion="3374.2.0" machineid="0123456789abcdef0123456789abcdef" machinealias="rack4-node17" lang="en-US" board="amd64-usr" hardware_class="" delta_okay="false" >
        <event eventtype="13" eventresult="1"></event>
    </app>
</request>
""";

  /** {@code ping-only.xml} */
  static final String PING_ONLY = """
<?xml version="1.0" encoding="UTF-8"?>
<request protocol="3.0" version="update_engine-0.4.10" updaterversion="update_engine-0.4.10" installsource="scheduler" ismachine="1">
    <os version="Chateau" platform="CoreOS" sp="3510.2.1_x86_64"></os>
    <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" version="3510.2.1" track="stable" bootid="{6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1}" oem="qemu" oemversion="0.0.1" alephversion="3374.2.0" machineid="0123456789abcdef0123456789abcdef" machinealias="rack4-node17" lang="en-US" board="amd64-usr" hardware_class="" delta_okay="false" >
        <ping active="1"></ping>
    </app>
</request>
""";

  /** {@code error-with-flag-28.xml} */
  static final String ERROR_WITH_FLAG_28 = """
<?xml version="1.0" encoding="UTF-8"?>
<request protocol="3.0" version="update_engine-0.4.10" updaterversion="update_engine-0.4.10" installsource="scheduler" ismachine="1">
    <os version="Chateau" platform="CoreOS" sp="3510.2.1_x86_64"></os>
    <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" version="3510.2.1" track="stable" bootid="{6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1}" oem="qemu" oemversion="0.0.1" alephversion="3374.2.0" machineid="0123456789abcdef0123456789abcdef" machinealias="rack4-node17" lang="en-US" board="amd64-usr" hardware_class="" delta_okay="false" >
        <event eventtype="3" eventresult="0" errorcode="268435490"></event>
    </app>
</request>
""";

  /** {@code response-offer.xml} */
  static final String RESPONSE_OFFER = """
<?xml version="1.0" encoding="UTF-8"?>
<response protocol="3.0" server="cairn">
 <daystart elapsed_seconds="49008"/>
 <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" status="ok">
  <ping status="ok"/>
  <event status="ok"/>
  <updatecheck status="ok">
   <urls>
    <url codebase="https://cairn.example.com/packages/3602.2.0/"/>
   </urls>
   <manifest version="3602.2.0">
    <packages>
     <package name="flatcar_production_update.gz" size="304218311" hash="AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=" required="true"/>
    </packages>
    <actions>
     <action event="postinstall" sha256="0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=" DisablePayloadBackoff="true"/>
    </actions>
   </manifest>
  </updatecheck>
 </app>
</response>
""";

  /** {@code response-noupdate.xml} */
  static final String RESPONSE_NOUPDATE = """
<?xml version="1.0" encoding="UTF-8"?>
<response protocol="3.0" server="cairn">
 <daystart elapsed_seconds="49008"/>
 <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" status="ok">
  <ping status="ok"/>
  <event status="ok"/>
  <updatecheck status="noupdate"/>
 </app>
</response>
""";

  /** {@code response-unknown-app.xml} */
  static final String RESPONSE_UNKNOWN_APP = """
<?xml version="1.0" encoding="UTF-8"?>
<response protocol="3.0" server="cairn">
 <daystart elapsed_seconds="49008"/>
 <app appid="{11111111-2222-3333-4444-555555555555}" status="error-unknownApplication">
  <ping status="ok"/>
 </app>
</response>
""";

  /** {@code response-two-apps.xml} */
  static final String RESPONSE_TWO_APPS = """
<?xml version="1.0" encoding="UTF-8"?>
<response protocol="3.0" server="cairn">
 <daystart elapsed_seconds="49008"/>
 <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" status="ok">
  <ping status="ok"/>
  <updatecheck status="ok">
   <urls>
    <url codebase="https://cairn.example.com/packages/3602.2.0/"/>
   </urls>
   <manifest version="3602.2.0">
    <packages>
     <package name="flatcar_production_update.gz" size="304218311" hash="AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=" required="true"/>
    </packages>
    <actions>
     <action event="postinstall" sha256="0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=" DisablePayloadBackoff="true"/>
    </actions>
   </manifest>
  </updatecheck>
 </app>
 <app appid="{11111111-2222-3333-4444-555555555555}" status="error-unknownApplication">
  <ping status="ok"/>
 </app>
</response>
""";

  /** {@code response-event-only.xml} */
  static final String RESPONSE_EVENT_ONLY = """
<?xml version="1.0" encoding="UTF-8"?>
<response protocol="3.0" server="cairn">
 <daystart elapsed_seconds="49008"/>
 <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" status="ok">
  <event status="ok"/>
 </app>
</response>
""";

  /** {@code response-ping-only.xml} */
  static final String RESPONSE_PING_ONLY = """
<?xml version="1.0" encoding="UTF-8"?>
<response protocol="3.0" server="cairn">
 <daystart elapsed_seconds="49008"/>
 <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" status="ok">
  <ping status="ok"/>
 </app>
</response>
""";

  /** {@code response-events-only.xml} */
  static final String RESPONSE_EVENTS_ONLY = """
<?xml version="1.0" encoding="UTF-8"?>
<response protocol="3.0" server="cairn">
 <daystart elapsed_seconds="49008"/>
 <app appid="{e96281a6-d1af-4bde-9a0a-97b76e56dc57}" status="ok">
  <event status="ok"/>
  <event status="ok"/>
 </app>
</response>
""";

  /** Every copy by its file name. */
  static final Map<String, String> ALL = Map.ofEntries(
      Map.entry("update-check.xml", UPDATE_CHECK),
      Map.entry("update-check-after-reboot.xml", UPDATE_CHECK_AFTER_REBOOT),
      Map.entry("rollback-event.xml", ROLLBACK_EVENT),
      Map.entry("event-download-started.xml", EVENT_DOWNLOAD_STARTED),
      Map.entry("ping-only.xml", PING_ONLY),
      Map.entry("error-with-flag-28.xml", ERROR_WITH_FLAG_28),
      Map.entry("response-offer.xml", RESPONSE_OFFER),
      Map.entry("response-noupdate.xml", RESPONSE_NOUPDATE),
      Map.entry("response-unknown-app.xml", RESPONSE_UNKNOWN_APP),
      Map.entry("response-two-apps.xml", RESPONSE_TWO_APPS),
      Map.entry("response-event-only.xml", RESPONSE_EVENT_ONLY),
      Map.entry("response-ping-only.xml", RESPONSE_PING_ONLY),
      Map.entry("response-events-only.xml", RESPONSE_EVENTS_ONLY));
}
