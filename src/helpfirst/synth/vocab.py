"""Words the synthetic generator composes texts from: brands, sectors, support topics, templates.

Everything here is fictional. Brand handles are made of invented name parts (``AcmeTelecomCare``);
any likeness to a real company is accidental. The vocabulary is plain data so that it can be
read, extended and reviewed without touching the generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# --------------------------------------------------------------------------------------------
# Support topics: per sector, each topic has customer issues (first-person clauses, no final
# punctuation), customer questions (no question mark), products (nouns used in clarifications and
# details), brand fixes (full sentences) and the slug of the help article that solves it.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A support topic: customer issues and questions, products, brand fixes and its help article slug."""

    slug: str
    issues: tuple[str, ...]
    questions: tuple[str, ...]
    products: tuple[str, ...]
    fixes: tuple[str, ...]


def _t(slug: str, issues: list[str], questions: list[str], products: list[str], fixes: list[str]) -> Topic:
    return Topic(slug, tuple(issues), tuple(questions), tuple(products), tuple(fixes))


GENERIC_TOPICS: tuple[Topic, ...] = (
    _t(
        "billing-double-charge",
        [
            "you charged my card twice this month",
            "i got billed twice for the same thing",
            "there's a charge on my statement i never authorised",
            "my bill went up with zero explanation",
            "autopay took money after i cancelled",
            "i was charged a late fee even though i paid on time",
        ],
        [
            "why was i charged twice",
            "how do i get a refund for a duplicate charge",
            "where can i see a breakdown of my bill",
        ],
        ["bill", "statement", "card", "account"],
        [
            "Duplicate charges are usually pending authorisations that drop off within 3-5 business days.",
            "You can see every charge and request a refund under Account > Billing > Transactions.",
            "We've checked and the second charge is a temporary hold; it will be released automatically.",
        ],
    ),
    _t(
        "password-reset",
        [
            "i can't log in to my account",
            "the password reset email never arrives",
            "i keep getting locked out of my account",
            "the verification code never shows up",
            "it says my password is wrong but i just changed it",
        ],
        [
            "how do i reset my password",
            "how do i change the email on my account",
            "can i turn off two-step verification",
        ],
        ["account", "login", "password", "email"],
        [
            "Please reset your password from the sign-in page using 'Forgot password'; the link is valid for 24 hours.",
            "If the reset email doesn't arrive, check your spam folder and make sure it's the address on file.",
            "After 5 failed attempts the account locks for 30 minutes; after that you can sign in again.",
        ],
    ),
    _t(
        "app-crash",
        [
            "your app keeps crashing",
            "the app won't even open since the update",
            "the app logs me out every five minutes",
            "the app is stuck on the loading screen",
            "your app just shows a blank white screen",
        ],
        [
            "is there a fix for the app crashing",
            "when is the app update coming out",
            "does the app work on android 7",
        ],
        ["app", "update", "phone", "tablet"],
        [
            "Please update to the latest version of the app, then clear its cache and restart your phone.",
            "Deleting and reinstalling the app fixes this in most cases; your data is saved to your account.",
            "We've released a fix for the crash in today's update; please install it from the app store.",
        ],
    ),
    _t(
        "customer-service",
        [
            "i've been on hold for over an hour",
            "nobody ever answers the chat",
            "your agent hung up on me",
            "i've called four times and got four different answers",
            "i was promised a callback that never happened",
        ],
        [
            "is there a number where i can actually talk to a person",
            "what are your customer service hours",
            "how do i file a complaint",
        ],
        ["call", "chat", "ticket", "callback"],
        [
            "You can reach a specialist any day from 7am to 11pm; choosing 'existing issue' skips the queue.",
            "You can track your ticket and request a callback online, so you don't have to wait on hold.",
            "We've escalated your case and a supervisor will contact you within 24 hours.",
        ],
    ),
)

SECTORS: dict[str, dict] = {
    "telecom": {
        "words": ["Telecom", "Mobile", "Wireless", "Cellular"],
        "topics": [
            _t(
                "no-signal",
                [
                    "my phone has had no signal all day",
                    "calls keep dropping",
                    "i've got 5 bars of lte and nothing loads",
                    "my phone just says sos only",
                    "i can't make or receive calls at home",
                    "data is painfully slow in my area",
                ],
                [
                    "is there an outage in my area",
                    "how do i turn on wifi calling",
                    "when will the tower near me be fixed",
                ],
                ["phone", "sim", "signal", "iPhone", "Galaxy"],
                [
                    "A network settings reset usually clears this: Settings > General > Reset > Reset Network Settings.",
                    "Please turn on Wi-Fi Calling while our engineers work on the site near you.",
                    "Toggling airplane mode for 30 seconds makes your phone re-register on the network.",
                ],
            ),
            _t(
                "plan-change",
                [
                    "my plan was changed without asking me",
                    "i was promised unlimited data and got throttled",
                    "the promo price on my plan disappeared",
                    "my data ran out halfway through the month",
                ],
                [
                    "how do i switch to a cheaper plan",
                    "can i add a line to my plan",
                    "how do i check how much data i have left",
                ],
                ["plan", "line", "data", "promo"],
                [
                    "You can compare and switch plans any time in the app under Plan > Change plan, with no fee.",
                    "Promo credits show up after 1-2 billing cycles; you can track them under Account > Credits.",
                    "Data usage is updated every hour in the app, and you get a text at 75% and 100%.",
                ],
            ),
            _t(
                "phone-upgrade",
                [
                    "my new phone never arrived",
                    "the upgrade order is stuck in processing",
                    "my trade-in credit never showed up",
                    "my new phone won't activate",
                ],
                [
                    "when am i eligible for an upgrade",
                    "how do i activate my new phone",
                    "how long does the trade-in credit take",
                ],
                ["phone", "order", "trade-in", "upgrade"],
                [
                    "You can activate a new phone yourself at our activation page; it takes about 5 minutes.",
                    "Trade-in credits post within 2 billing cycles after we receive and inspect the device.",
                    "Orders show as processing until they ship; you'll get a tracking link by text.",
                ],
            ),
            _t(
                "roaming",
                [
                    "roaming isn't working abroad",
                    "i got a huge roaming charge",
                    "my phone has no service since i landed",
                ],
                [
                    "does my plan include international roaming",
                    "how do i turn on roaming",
                ],
                ["roaming", "travel pass", "sim"],
                [
                    "Please check that data roaming is on in your phone settings and restart it once you land.",
                    "You can add a travel pass in the app before you go so roaming costs a flat daily rate.",
                ],
            ),
        ],
    },
    "internet": {
        "words": ["Cable", "Fiber", "Net", "Broadband"],
        "topics": [
            _t(
                "internet-outage",
                [
                    "my internet is down again",
                    "the wifi cuts out every 20 minutes",
                    "internet has been out since last night",
                    "i'm paying for 300 mbps and getting 5",
                    "the internet light on the router is blinking red",
                ],
                [
                    "is there an outage in my area",
                    "when will my internet be back",
                    "how do i run a speed test",
                ],
                ["router", "modem", "wifi", "internet"],
                [
                    "Please unplug your modem and router for 60 seconds, then plug the modem in first.",
                    "There's a local outage and our techs expect it to be fixed within 4 hours; you can check status online.",
                    "For the best speeds, test on a wired connection; wifi speeds vary with distance and walls.",
                ],
            ),
            _t(
                "tv-service",
                [
                    "half my channels are missing",
                    "the cable box keeps rebooting",
                    "the guide is showing the wrong channels",
                    "on demand won't load anything",
                ],
                [
                    "how do i add a sports package",
                    "why did my channel lineup change",
                    "how do i reset the cable box",
                ],
                ["cable box", "remote", "channels", "DVR"],
                [
                    "Sending a refresh signal from the app (Support > Troubleshoot > TV) restores missing channels.",
                    "Please unplug the cable box for 30 seconds; it will download the latest guide when it restarts.",
                ],
            ),
            _t(
                "technician",
                [
                    "the technician never showed up",
                    "i waited all day for an install appointment",
                    "my install was cancelled without telling me",
                ],
                [
                    "can i reschedule my install appointment",
                    "what time is the technician coming",
                ],
                ["appointment", "install", "technician"],
                [
                    "You can see your technician's arrival window and reschedule in the app under Appointments.",
                    "We've rebooked your appointment for the first slot tomorrow and credited the missed visit.",
                ],
            ),
            _t(
                "moving",
                [
                    "i moved and my service still isn't set up",
                    "you're still billing me at my old address",
                    "i can't transfer my service to my new place",
                ],
                [
                    "how do i move my service to a new address",
                    "do i need to return my equipment when i move",
                ],
                ["service", "equipment", "address"],
                [
                    "You can transfer your service online up to 30 days before the move under Account > Moving.",
                    "Equipment can be returned at any store or with the prepaid box we send you.",
                ],
            ),
        ],
    },
    "airline": {
        "words": ["Air", "Airways", "Airlines", "Jet"],
        "topics": [
            _t(
                "lost-bag",
                [
                    "my bag didn't make it to my destination",
                    "my luggage is lost and nobody can tell me where it is",
                    "my suitcase came back broken",
                    "my bag has been missing for three days",
                ],
                [
                    "how do i track my delayed bag",
                    "what can i claim while my bag is delayed",
                ],
                ["bag", "suitcase", "luggage", "claim"],
                [
                    "You can track your bag with the file reference from the baggage desk on our baggage page.",
                    "Please keep receipts for essentials; you can claim them online while your bag is delayed.",
                ],
            ),
            _t(
                "delay",
                [
                    "my flight has been delayed four times",
                    "my flight got cancelled and i'm stuck at the airport",
                    "i missed my connection because of your delay",
                    "we've been sitting on the tarmac for two hours",
                ],
                [
                    "am i entitled to compensation for the delay",
                    "can i rebook onto an earlier flight",
                ],
                ["flight", "connection", "gate", "rebooking"],
                [
                    "You can rebook free of charge in the app under My Trips when your flight is disrupted.",
                    "For delays over 3 hours you can claim compensation online with your booking reference.",
                    "Meal vouchers are available at the transfer desk for delays longer than 2 hours.",
                ],
            ),
            _t(
                "booking",
                [
                    "my seat assignment disappeared",
                    "i paid for extra legroom and didn't get it",
                    "my name is misspelled on my ticket",
                    "the website charged me but i have no booking",
                ],
                [
                    "how do i change the name on my ticket",
                    "can i pick my seat for free",
                    "how do i add a bag to my booking",
                ],
                ["booking", "seat", "ticket", "boarding pass"],
                [
                    "Small name corrections can be made free of charge under Manage Booking.",
                    "If you paid for a seat you didn't get, you can request a refund of the seat fee online.",
                ],
            ),
            _t(
                "miles",
                [
                    "my miles from last month's flight never posted",
                    "my status was downgraded for no reason",
                ],
                [
                    "how do i claim missing miles",
                    "do miles expire",
                ],
                ["miles", "status", "membership"],
                [
                    "Missing miles can be claimed online up to 6 months after your flight with your ticket number.",
                ],
            ),
        ],
    },
    "retail": {
        "words": ["Shop", "Mart", "Store", "Market"],
        "topics": [
            _t(
                "late-delivery",
                [
                    "my order still hasn't arrived",
                    "tracking says delivered but there's nothing here",
                    "my package has been stuck in transit for a week",
                    "the delivery window came and went",
                    "my order was delivered to the wrong address",
                ],
                [
                    "where is my order",
                    "can i change the delivery address",
                    "how do i report a missing package",
                ],
                ["order", "package", "parcel", "delivery"],
                [
                    "If tracking shows delivered but nothing arrived, please wait 48 hours and then report it on the order page.",
                    "You can change the address while the order is still processing under Your Orders.",
                    "Our carrier shows a delay at the local depot; your parcel should arrive within 2 business days.",
                ],
            ),
            _t(
                "returns",
                [
                    "my refund still hasn't come through",
                    "the store refused my return",
                    "i returned the item weeks ago and got nothing",
                    "i got the wrong item and can't return it online",
                ],
                [
                    "how do i return an item",
                    "how long do refunds take",
                    "can i return an online order in store",
                ],
                ["return", "refund", "item", "receipt"],
                [
                    "Refunds are issued within 5-7 business days after the return is scanned at our warehouse.",
                    "You can start a return under Your Orders and print a free label; no receipt needed.",
                ],
            ),
            _t(
                "damaged-item",
                [
                    "my order arrived broken",
                    "half my order was missing",
                    "the item i got is clearly used",
                ],
                [
                    "what do i do if my item arrived damaged",
                ],
                ["item", "box", "order"],
                [
                    "Please report a damaged item on the order page with a photo and we'll send a replacement.",
                ],
            ),
            _t(
                "price-promo",
                [
                    "the coupon code doesn't work at checkout",
                    "i was charged more than the shelf price",
                    "the sale price didn't apply to my order",
                ],
                [
                    "do you price match",
                    "can i use two coupons on one order",
                ],
                ["coupon", "promo code", "checkout", "price"],
                [
                    "Coupon codes can't be combined and exclude some brands; the details are on the offer page.",
                    "We match our own online price in store; just show the page at the register.",
                ],
            ),
        ],
    },
    "devices": {
        "words": ["Tech", "Devices", "Electronics", "Computing"],
        "topics": [
            _t(
                "battery",
                [
                    "my battery drains in two hours since the update",
                    "my phone gets really hot while charging",
                    "my laptop won't charge past 80%",
                    "the battery dies at 30%",
                ],
                [
                    "how do i check my battery health",
                    "is the battery covered by warranty",
                ],
                ["battery", "charger", "laptop", "phone"],
                [
                    "After an update, indexing can drain the battery for a day or two; it settles after that.",
                    "You can check battery health under Settings > Battery; below 80% it's eligible for a replacement.",
                ],
            ),
            _t(
                "software-update",
                [
                    "the update bricked my device",
                    "the update keeps failing at 50%",
                    "since the update my keyboard types the wrong letters",
                    "my device is stuck on the logo after updating",
                ],
                [
                    "should i install the new update",
                    "how do i roll back an update",
                ],
                ["update", "device", "tablet", "laptop"],
                [
                    "Please force restart the device, then install the update again over wifi with at least 50% battery.",
                    "A fix for the keyboard bug is in the next update; until then, turning off auto-correct helps.",
                ],
            ),
            _t(
                "repair",
                [
                    "my repair has taken three weeks",
                    "the repair shop lost my device",
                    "my screen cracked and the repair quote is insane",
                ],
                [
                    "how much is a screen repair",
                    "where is my repair",
                    "is this covered by warranty",
                ],
                ["repair", "screen", "warranty", "device"],
                [
                    "You can check your repair status and warranty coverage online with your serial number.",
                    "Screen repairs can be booked at any authorised service provider, usually done the same day.",
                ],
            ),
            _t(
                "connectivity",
                [
                    "my headphones won't pair anymore",
                    "bluetooth keeps disconnecting",
                    "my watch won't sync with my phone",
                ],
                [
                    "how do i pair my headphones",
                    "how do i reset my watch",
                ],
                ["headphones", "watch", "bluetooth", "speaker"],
                [
                    "Please forget the device in Bluetooth settings, reset it, and pair it again.",
                ],
            ),
        ],
    },
    "streaming": {
        "words": ["Music", "Stream", "TV", "Flix"],
        "topics": [
            _t(
                "playback",
                [
                    "songs keep skipping",
                    "videos keep buffering",
                    "the app stops playing after one song",
                    "offline downloads disappeared",
                    "there's no sound on the tv app",
                ],
                [
                    "how many devices can i stream on",
                    "how do i download for offline",
                ],
                ["playlist", "download", "tv app", "speaker"],
                [
                    "Please sign out and back in, then clear the app cache; downloads will resync on wifi.",
                    "Lowering streaming quality in Settings > Playback stops the buffering on slow connections.",
                ],
            ),
            _t(
                "subscription",
                [
                    "i cancelled but you still charged me",
                    "my premium disappeared",
                    "my family plan members lost access",
                    "the student discount stopped working",
                ],
                [
                    "how do i cancel my subscription",
                    "how do i add someone to my family plan",
                ],
                ["subscription", "premium", "family plan", "account"],
                [
                    "You can cancel any time under Account > Subscription; you keep access until the period ends.",
                    "Family plan members need to be at the same address; the plan manager can re-invite them.",
                ],
            ),
            _t(
                "content",
                [
                    "my favourite show disappeared from the catalogue",
                    "the new episode isn't there yet",
                    "subtitles are out of sync",
                ],
                [
                    "when is the new season coming",
                    "why did you remove that album",
                ],
                ["show", "episode", "album", "subtitles"],
                [
                    "Titles come and go as licences change; you can get notified when it's back from its page.",
                    "Turning subtitles off and on again resyncs them; we've also reported it to our team.",
                ],
            ),
        ],
    },
    "bank": {
        "words": ["Bank", "Pay", "Card", "Credit"],
        "topics": [
            _t(
                "card-declined",
                [
                    "my card keeps getting declined",
                    "my card was blocked while i'm abroad",
                    "contactless stopped working on my card",
                    "my new card never arrived",
                ],
                [
                    "how do i unblock my card",
                    "how do i order a replacement card",
                ],
                ["card", "debit card", "credit card", "pin"],
                [
                    "You can unfreeze your card instantly in the app under Card > Security.",
                    "Replacement cards arrive within 5 business days; you can use the virtual card meanwhile.",
                ],
            ),
            _t(
                "transfer",
                [
                    "my transfer has been pending for days",
                    "money left my account but never arrived",
                    "the mobile deposit was rejected",
                ],
                [
                    "how long do transfers take",
                    "how do i cancel a transfer",
                ],
                ["transfer", "payment", "deposit", "account"],
                [
                    "Transfers between banks take 1-3 business days; you can track them under Activity.",
                    "Mobile deposits need a clear photo on a dark background with the back endorsed.",
                ],
            ),
            _t(
                "fraud",
                [
                    "there are transactions on my account i didn't make",
                    "someone used my card online",
                    "i got a scam text pretending to be you",
                ],
                [
                    "how do i report fraud",
                    "is this text really from you",
                ],
                ["card", "transaction", "account"],
                [
                    "Please freeze your card in the app right away and report the transactions under Help > Fraud.",
                    "We never ask for your PIN or password by text; please forward scam texts to our fraud team.",
                ],
            ),
        ],
    },
    "food": {
        "words": ["Eats", "Pizza", "Burger", "Kitchen"],
        "topics": [
            _t(
                "wrong-order",
                [
                    "my order was wrong again",
                    "half my order was missing",
                    "my food arrived cold",
                    "they forgot the drinks again",
                ],
                [
                    "how do i get a refund for a missing item",
                    "can i get a credit for a wrong order",
                ],
                ["order", "burger", "pizza", "delivery"],
                [
                    "You can report a missing or wrong item in the app under Orders > Help for an instant refund.",
                    "We've added a credit to your account for the next order; it's applied automatically.",
                ],
            ),
            _t(
                "late-food",
                [
                    "my delivery is over an hour late",
                    "the driver went to the wrong address",
                    "my order was cancelled after i waited 45 minutes",
                ],
                [
                    "where is my delivery",
                    "can i track my driver",
                ],
                ["delivery", "driver", "order"],
                [
                    "You can track your driver live on the order screen; if it's over 20 minutes late you get a credit.",
                ],
            ),
            _t(
                "rewards",
                [
                    "my reward points vanished",
                    "the app won't apply my free item",
                    "the promo in your ad doesn't work in store",
                ],
                [
                    "how do i redeem my points",
                    "is the deal valid at every location",
                ],
                ["points", "reward", "deal", "app"],
                [
                    "Points are added within 24 hours of your order; missing points can be claimed with your receipt.",
                    "Deals are valid at participating locations; the app shows which ones near you take part.",
                ],
            ),
        ],
    },
    "travel": {
        "words": ["Rides", "Hotels", "Travel", "Rail"],
        "topics": [
            _t(
                "ride-charge",
                [
                    "i was charged for a ride i never took",
                    "my driver took a huge detour",
                    "i got a cancellation fee when the driver cancelled",
                    "i left my phone in the car",
                ],
                [
                    "how do i dispute a fare",
                    "how do i contact my driver about a lost item",
                ],
                ["ride", "fare", "driver", "trip"],
                [
                    "You can request a fare review from the trip receipt under Help > Trips.",
                    "To contact your driver about a lost item, go to Your Trips, pick the trip and tap 'Lost item'.",
                ],
            ),
            _t(
                "hotel-booking",
                [
                    "the hotel had no record of my reservation",
                    "my room was nothing like the photos",
                    "i was charged for a booking i cancelled",
                ],
                [
                    "can i cancel my reservation for free",
                    "how do i change my check-in date",
                ],
                ["reservation", "room", "booking", "check-in"],
                [
                    "Free cancellation applies until the date shown on your confirmation; you can cancel under My Bookings.",
                    "We've contacted the property and your reservation is confirmed; the details are in your email.",
                ],
            ),
            _t(
                "train-delay",
                [
                    "my train was cancelled with no announcement",
                    "the train has been stuck outside the station for an hour",
                    "the ticket machine took my money and gave no ticket",
                ],
                [
                    "how do i claim delay repay",
                    "is my ticket valid on a later train",
                ],
                ["train", "ticket", "season ticket"],
                [
                    "You can claim delay repay online for delays over 15 minutes with a photo of your ticket.",
                ],
            ),
        ],
    },
    "gaming": {
        "words": ["Games", "Gaming", "Play", "Arcade"],
        "topics": [
            _t(
                "online-service",
                [
                    "i can't connect to the servers",
                    "i keep getting disconnected mid match",
                    "the store won't load",
                    "my download is stuck at 99%",
                ],
                [
                    "are the servers down",
                    "when is maintenance over",
                ],
                ["console", "server", "download", "store"],
                [
                    "Our servers are back up; please restart your console and check the network test in Settings.",
                    "Pausing and resuming the download, or rebuilding the database in safe mode, fixes stuck downloads.",
                ],
            ),
            _t(
                "purchase",
                [
                    "i bought a game and it's not in my library",
                    "my gift card code says already redeemed",
                    "i was charged for a subscription i cancelled",
                ],
                [
                    "how do i get a refund for a game",
                    "how do i redeem a code",
                ],
                ["game", "code", "gift card", "library"],
                [
                    "Restoring licences under Settings > Account makes missing purchases show up in your library.",
                    "Refunds are possible within 14 days if you haven't started the download.",
                ],
            ),
            _t(
                "account-ban",
                [
                    "my account got suspended for no reason",
                    "someone hacked my account and changed the email",
                    "my save data is gone",
                ],
                [
                    "how do i appeal a suspension",
                    "how do i recover a hacked account",
                ],
                ["account", "save", "profile"],
                [
                    "You can appeal a suspension through the enforcement page; appeals are reviewed within 48 hours.",
                    "Please use account recovery with your date of birth and the original email to regain access.",
                ],
            ),
        ],
    },
}

SECTOR_NAMES: tuple[str, ...] = tuple(SECTORS)

# --------------------------------------------------------------------------------------------
# Brands
# --------------------------------------------------------------------------------------------

PREFIXES = [
    "Acme", "Nova", "Bright", "Summit", "Blue", "Peak", "Orbit", "Vista", "Pioneer", "Zen",
    "Crest", "Lumen", "Harbor", "Atlas", "Echo", "Maple", "Swift", "Apex", "Cobalt", "Terra",
    "Polar", "Sunny", "Red", "Green", "Metro", "Urban", "Prime", "Quantum", "Silver", "Golden",
    "Falcon", "River", "Oak", "Cedar", "Granite", "Coral", "Aurora", "Beacon", "Nimbus", "Zephyr",
]
SUFFIXES = ["Care", "Support", "Help", "_Help", "Cares", "Service", "CS", "Assist", "Team", "HQ"]
BRANDS_PER_SECTOR = 10


@dataclass(frozen=True)
class Brand:
    """A fictional brand: its handle, name, web domain, sector index and bot handle."""

    handle: str
    name: str
    domain: str
    sector: int
    bot_handle: str


def brand_roster() -> list[Brand]:
    """The fixed list of 100 fictional brands (10 per sector); the same for every seed."""
    rnd = random.Random(2017)
    brands: list[Brand] = []
    used: set[str] = set()
    for s, sector in enumerate(SECTOR_NAMES):
        words = SECTORS[sector]["words"]
        count = 0
        while count < BRANDS_PER_SECTOR:
            if s == 0 and count == 0:
                prefix, word, suffix = "Acme", "Telecom", "Care"
            else:
                prefix, word, suffix = rnd.choice(PREFIXES), rnd.choice(words), rnd.choice(SUFFIXES)
            stem = prefix + word
            if stem.lower() in used:
                continue
            used.add(stem.lower())
            brands.append(
                Brand(
                    handle=stem + suffix,
                    name=f"{prefix} {word}",
                    domain=f"{stem.lower()}.com",
                    sector=s,
                    bot_handle=stem + "Bot",
                )
            )
            count += 1
    return brands


AGENT_NAMES = [
    "Becky", "Tara", "Dana", "Sam", "Alex", "Jordan", "Priya", "Miguel", "Chris", "Jess",
    "Omar", "Lena", "Marco", "Aisha", "Tom", "Kim", "Nina", "Raj", "Leo", "Zoe",
    "Ben", "Maya", "Ivan", "Rosa", "Eli", "Hana", "Joel", "Mia", "Theo", "Ana",
]

# --------------------------------------------------------------------------------------------
# Static slots: lists of phrases picked uniformly. "" entries make a slot optional.
# --------------------------------------------------------------------------------------------

STATIC: dict[str, list[str]] = {
    "when": [
        "since this morning", "since last night", "for 3 days now", "all week", "since tuesday",
        "since the update", "again today", "for the third time this month", "since friday",
        "for two weeks", "since yesterday", "every single evening", "since i got home",
        "since the weekend", "on and off all day", "for hours", "since 6am", "since monday",
        "this whole month", "right now",
    ],
    "feeling": [
        "so frustrating", "ridiculous", "smh", "unbelievable", "not happy", "really annoying",
        "this is a joke", "please help", "fix this", "come on", "ugh", "so tired of this",
        "seriously??", "what is going on", "i need this working for work", "wtf", "help",
        "getting really fed up", "not impressed", "is anyone there", "disappointed",
        "this is the worst", "#fail", "just great", "lol", "😤", "need help asap",
    ],
    "emoji": [
        "", "", "", "", "", "", "😡", "😤", "🙄", "😭", "🤦‍♀️", "🤦🏾‍♂️", "😩", "💀", "🙃", "😒",
        "👎", "😠", "🤬", "😕", "😢", "🥴", "😑", "🤷", "😫", "💯", "🔥", "😳", "🆘", "⏳",
    ],
    "happy_emoji": [
        "", "", "", "🙏", "😊", "👍", "🙌", "❤️", "😁", "💙", "🎉", "👏", "😀", "☺️", "✌️",
        "🤗", "💯", "😍", "🥳", "👌",
    ],
    "tried": [
        "restarting it", "turning it off and on", "unplugging everything", "reinstalling the app",
        "calling twice", "the chat", "resetting it", "a different browser", "logging out and in",
        "clearing the cache", "everything on your faq", "the troubleshooter", "a new cable",
        "going to the store", "waiting a day",
    ],
    "greet": [
        "", "", "Hi there!", "Hey!", "Hello!", "Hi!", "Hey there.", "Hello,", "Hi,", "Good morning!",
        "Good evening!", "Thanks for reaching out!", "Hey, thanks for the tweet.", "Help has arrived!",
    ],
    "empathy": [
        "Sorry to hear that.", "We're sorry for the trouble.", "That's not what we like to hear.",
        "I'm sorry about this.", "We understand how frustrating that is.", "Oh no!",
        "My apologies for the inconvenience.", "That's definitely not the experience we want for you.",
        "I can see why you're upset.", "Sorry for the hassle.", "We're here to help.",
        "Thanks for letting us know.", "I understand.", "Yikes, sorry about that!",
    ],
    "clarq": [
        "When did this start?", "Are you seeing an error message?", "Which device are you using?",
        "Does this happen on wifi and mobile data?", "What's the zip code where this is happening?",
        "Have you tried restarting since it started?", "Is this happening on every device?",
        "Which version of the app do you have?", "Can you tell us a bit more about what happens?",
        "Is anyone else in your household affected?", "What does the screen show when it fails?",
        "Could you share a screenshot of the error?", "Roughly what time did this happen?",
        "Is this on the website or the app?", "What lights do you see on the front of it?",
    ],
    "dminfo": [
        "your account number", "your full name and zip code", "the order number",
        "the email on your account", "your booking reference", "the phone number on the account",
        "your name and address", "the last 4 digits of the card", "your ticket number",
        "the serial number", "more details",
    ],
    "dmhow": [
        "Please send us a DM with {x} so we can look into this.",
        "Can you DM us {x}? We'll take a closer look.",
        "Please follow and DM us {x} and we'll get this sorted.",
        "Shoot us a DM with {x} so we can check your account.",
        "Send us a private message with {x}, and we'll dig in.",
        "Please DM {x} and we'll be glad to help.",
        "We'd like to look into this further; please DM us {x}.",
        "Just click 'Message' at the top of our profile and send us {x}.",
    ],
    "fixintro": [
        "", "Here's what usually fixes it:", "Let's try this:", "Good news, this is an easy fix.",
        "Try this:", "This should help:", "Thanks for waiting!", "Quick fix:", "Here's how:",
        "Happy to help!", "We've got you.", "Let's get that sorted.",
    ],
    "more": [
        "More here:", "Steps here:", "Details:", "Full guide:", "This article walks you through it:",
        "See:", "More info:", "Here's the guide:", "",
    ],
    "ack": [
        "We're looking into this for you now.", "We've passed this on to our team.",
        "Thanks, we're checking on this.", "I've shared this with the right team.",
        "We hear you and we're on it.", "Our team is aware and working on it.",
        "We've noted this and will follow up.", "Let me look into this for you.",
        "We'll check and get back to you.", "Thanks for the heads up, we're investigating.",
    ],
    "dmfollow": [
        "Got it, we've replied in DM.", "Thanks! Check your DMs.", "We've got your message and replied there.",
        "Thanks, we've responded to your DM.", "Received, let's continue in DM.",
        "Perfect, we'll continue the conversation in DM.", "Thanks, we've followed up privately.",
    ],
    "welcome": [
        "You're welcome!", "Glad we could help!", "Anytime!", "Happy to help!", "Great to hear!",
        "Awesome, glad it's working!", "That's what we like to hear!", "Glad that did the trick!",
        "No problem at all!", "Thanks for the update!",
    ],
    "close": [
        "", "", "Have a great day.", "Enjoy your evening!", "We're here if you need anything else.",
        "Take care!", "Reach out anytime.", "Have a good one!", "Enjoy!", "Let us know if anything changes.",
    ],
    "thanks": [
        "thanks, that worked!", "thank you, all sorted now", "perfect, it's working again",
        "that fixed it, thanks", "great, thank you so much", "amazing, thanks for the quick help",
        "ok that did it. thanks", "finally working, thank you", "cheers, sorted", "thank you!!",
        "you're a star, thank you", "it works now, appreciate it", "thanks for sorting this so fast",
        "brilliant, thanks", "much appreciated",
    ],
    "still": [
        "still not working", "tried that, didn't help", "that didn't fix anything", "same problem",
        "i already did that twice", "nope, still broken", "no change", "it's worse now",
        "did all that already", "still the same", "that's what the last person said too",
        "this is the third time i'm being told that",
    ],
    "nudge": [
        "hello?? anyone?", "still waiting for a reply", "any update?", "is anyone going to answer",
        "hello?", "bump", "anyone there", "still nothing", "been waiting hours", "???",
        "can someone please respond", "ignored again i see", "helloooo",
    ],
    "dmdone": [
        "just sent a DM", "DM sent", "sent you a message", "i DM'd you", "ok, dm'd",
        "messaged you", "check your DMs", "sent it over", "done, sent you the details",
    ],
    "detail": [
        "no error, it just stops", "it says error {n}", "on wifi and data", "only on wifi",
        "it started after the update", "everything's plugged in", "the light is blinking orange",
        "it's the latest version", "zip is {zip}", "all devices in the house", "just my phone",
        "yes i restarted it {n} times", "the screen just goes black", "it says try again later",
        "around {n} minutes ago", "ios {ver}", "android {ver}", "version {ver} of the app",
        "it's been like this for {n} days", "it happens every evening around {h}pm",
    ],
    "angry": [
        "this is unacceptable", "i want to cancel", "i'm done with you", "switching providers",
        "worst service ever", "how hard is it to fix this", "i want to speak to a manager",
        "you keep passing me around", "i've wasted hours on this", "refund me",
    ],
    "praise": [
        "shoutout to {agent} for sorting my problem so fast", "best customer service ever",
        "honestly love the new update", "you guys are amazing", "thanks for the great service today",
        "the staff at your store were so helpful", "really impressed with how quick that was",
        "10/10 experience", "loving it so far", "finally a company that answers",
    ],
    "complaint": [
        "worst customer service ever", "is the worst", "i'm so done", "never again",
        "you should be ashamed", "absolutely useless", "this company is a joke", "what a mess",
        "the service keeps getting worse", "paying more for less",
    ],
    "p": ["", "", "", "", "!", ".", "!!", "...", " :)", " :(", "!!!", " lol", " pls", " x", "?"],
    "tail": [
        "", "", "", "thanks", "thx", "ty", "cheers", "please", "🙏", "asap", "thank you", "help",
        "tia", "pls help", "😊", "thanks!",
    ],
    "cc": [
        "have a good one", "you guys rock", "cheers", "appreciate you", "that was quick",
        "faith restored", "crisis averted", "phew", "finally", "10/10", "love you guys",
        "great service", "made my day", "legends", "knew you'd sort it", "so relieved",
    ],
    "city": [
        "Chicago", "Austin", "Denver", "Seattle", "Boston", "Atlanta", "Phoenix", "Portland",
        "Miami", "Dallas", "Nashville", "Tampa", "Columbus", "Brooklyn", "Oakland", "London",
        "Manchester", "Toronto", "Dublin", "San Diego",
    ],
    "eta": [
        "within 24 hours", "as soon as possible", "shortly", "within a few hours", "soon",
        "during business hours",
    ],
    "sorry_b2": [
        "It looks like this is about {bn}'s service; you'd want to reach out to {b} directly.",
        "We're not able to help with {bn} accounts, but {b} can!",
        "This one is for {b}, but if anything on our side is affected, DM us.",
        "We're checking that nothing on our side is causing this. Please DM us your details.",
        "Sorry for the trouble! Our part looks fine, {b} should be able to help.",
    ],
}

# --------------------------------------------------------------------------------------------
# Templates per text kind. Slots in braces: see text.py for the list. Customer texts start with
# {b} (the brand mention) in most templates; brand texts start with {c} (the customer mention).
# --------------------------------------------------------------------------------------------

TEMPLATES: dict[str, list[str]] = {
    "OPEN_PROBLEM": [
        "{b} {issue} {when}. {feeling} {emoji}",
        "{b} {issue} {when} {emoji}",
        "{b} {issue}. {feeling}",
        "{b} hey, {issue}. tried {tried} already. any ideas? {emoji}",
        "{b} {issue} and nobody can tell me why {emoji}",
        "{b} is anyone else having this? {issue} {when}",
        "{b} {issue}!!! {feeling}",
        "{b} so {issue} {when}. order #{order}",
        "{b} {issue}. account ending {n4}. {feeling}",
        "{b} hi, {issue} {when}. can you help?",
        "{b} {issue} {when}\n\n{feeling} {emoji}",
        "{b} {issue}. paying ${money} a month for this {emoji}",
        "{b} {issue} {when} {tco}",
        "{b} {issue}, tried {tried}, still nothing {emoji}",
        "{b} for the {ordinal} time, {issue} {feeling}",
        "ugh {b} {issue} {when} {emoji}",
        "Yo {b}, {issue}. {feeling}",
        "hey {b} {issue} {when}?? {emoji}",
        "{issue} {when}. thanks a lot {b} {emoji}",
        "so {issue} {when}. {feeling} {b}",
        ".{b} {issue} {when} in {city}. {feeling}",
        "{b} {issue} &amp; support just keeps transferring me {emoji}",
        "{b} {issue}. {n} minutes on hold and nothing {emoji}",
        "{b} {issue} in {city} {when}, what's going on?",
    ],
    "OPEN_QUESTION": [
        "{b} {question}? {tail} {happy_emoji}",
        "{b} quick question: {question}? {tail}",
        "{b} hi! {question}? {happy_emoji}",
        "{b} {question}? can't find it anywhere on the site{p} {emoji}",
        "{b} hey, {question}? thanks in advance {happy_emoji}",
        "{b} hello, {question}? the faq doesn't say{p}",
        "{b} {question}? asking for a friend {happy_emoji}",
        "hey {b}, {question}? {tail}",
        "{b} does anyone know {question}? {tail}",
        "{b} {question}? i'm in {city}{p}",
        "{b} {question}? been trying for {n} minutes {emoji}",
        "{b} {question}?? {when} {emoji}",
    ],
    "OPEN_COMPLAINT": [
        "{b} {complaint}. {feeling} {emoji}",
        "{b} {complaint}, {n} years a customer and this is how you treat me {emoji}",
        "{b} {complaint}. {issue} and nobody cares",
        "{b} {complaint} {emoji}{emoji}",
        "{b} {complaint}. i want to cancel",
        "{b} {complaint}. done. {emoji}",
        "{b} {complaint} {tco}",
        "So frustrated with {b} {emoji} {issue} {when}",
        "{b} {complaint}! {issue}\n{feeling}",
        "never using {b} again. {issue} {emoji}",
    ],
    "OPEN_PRAISE": [
        "{b} {praise} {happy_emoji}",
        "{b} {praise}! {happy_emoji}{happy_emoji}",
        "{b} {praise}, thank you {agent}!",
        "shoutout to {b}, {praise} {happy_emoji}",
        "{b} just wanted to say {praise} {happy_emoji}",
        "{praise}. thank you {b} {happy_emoji}",
    ],
    "OPEN_FOREIGN": [
        "{b} hola, mi servicio no funciona desde {dia} {emoji}",
        "{b} llevo {n} días esperando mi pedido #{order}, nadie responde {emoji}",
        "{b} ¿por qué me cobraron ${money} dos veces este mes? {emoji}",
        "{b} necesito ayuda con mi cuenta, ya intenté todo{p} {emoji}",
        "{b} bonjour, ma commande #{order} n'est toujours pas arrivée {emoji}",
        "{b} impossible de me connecter depuis {dia_fr}, aidez-moi svp {emoji}",
        "{b} hallo, mein Internet geht seit {n} Tagen nicht {emoji}",
        "{b} warum wurde meine Karte abgelehnt? schon {n} Mal versucht {emoji}",
        "{b} olá, minha conta foi bloqueada sem motivo {emoji}",
        "{b} ciao, il mio ordine #{order} non è mai arrivato",
        "{b} hoi, mijn bestelling is na {n} dagen nog steeds niet binnen {emoji}",
    ],
    "OPEN_TWO": [
        "{b} {b2} {issue} {when} and you both keep blaming each other {emoji}",
        "{b} {b2} which one of you do i call? {issue}",
        "{b} or {b2}, someone please help. {issue} {emoji}",
        "{b} {issue}. {b2} says it's your fault. {feeling}",
        "{b} {b2} {issue}. tried {tried}. {feeling}",
    ],
    "C_MORE": [
        "{b} also {detail}", "{b} and {detail}", "{b} forgot to say, {detail}",
        "{b} update: {detail} {emoji}", "{b} plus it's {when} {emoji}", "{b} {tco}",
        "{b} here's a screenshot {tco}", "{b} (it's the {product}, {detail})",
    ],
    "C_NUDGE": [
        "{b} {nudge}{p} {emoji}", "{b} {nudge}{p} it's been {hours} hours {emoji}",
        "{b} {nudge}. {feeling}{p}", "{b} {nudge} #{ordinal2} {emoji}", "{b} {nudge} {tco}",
        "{b} {nudge}{p} {tail}", "{b} {nudge}{p} {when} {emoji}",
    ],
    "C_DETAIL": [
        "{b} {detail}{p}", "{b} it's the {product}, {detail}{p}", "{b} {detail}. {when}",
        "{b} {detail} {emoji}", "{b} yes. {detail}{p}", "{b} {when}, {detail}",
        "{b} it's my {product}. {detail}{p} {emoji}", "{b} no, {detail}{p}", "{b} {detail}, {tco}",
        "{b} {detail} and i'm in {city}{p}",
    ],
    "C_DMDONE": [
        "{b} {dmdone}{p} {happy_emoji}", "{b} {dmdone}{p} {tail}", "{b} ok {dmdone}{p} {happy_emoji}",
        "{b} {dmdone} {n} minutes ago{p}", "{b} {dmdone}{p} {emoji}", "{b} {dmdone}. {cc}{p}",
    ],
    "C_STILL": [
        "{b} {still}{p} {emoji}", "{b} {still}. {feeling}{p} {emoji}", "{b} {still}, {product} {detail}",
        "{b} {still}{p} {tail}", "{b} {still}. {angry}{p}", "{b} {still} {when}{p} {emoji}",
    ],
    "C_ANGRY": [
        "{b} {angry}{p} {emoji}", "{b} {angry}. {still}{p}", "{b} {angry}!!! {emoji}", "{b} {angry}. {feeling}{p}",
        "{b} you already said that. {angry}{p}",
    ],
    "C_THANKS": [
        "{b} {thanks}{p} {happy_emoji}", "{b} {thanks}{p} {cc}", "{b} {thanks}, {agent}{p} {happy_emoji}",
        "{b} {thanks} 👍 {cc}", "{b} oh {thanks}{p} {happy_emoji}", "{b} {thanks}. {praise}{p}",
        "{b} {thanks}! have a good {partofday} {happy_emoji}", "{b} {cc}, {thanks}{p} {happy_emoji}",
    ],
    "C_ORPHAN": [
        "{b} {nudge} {when}", "{b} {still}", "{b} {issue} again {emoji}", "{b} {detail}",
        "{b} any news on my case #{ref}?", "{b} {thanks}", "{b} {still}. {feeling}",
        "{b} i replied to your DM {hours} hours ago", "{b} and now {issue}",
    ],
    "C_ANNREPLY": [
        "{b} about time{p} {happy_emoji}", "{b} still broken for me in {city}{p} {emoji}",
        "{b} {question}? {tail}", "{b} finally{p} {happy_emoji} {cc}", "{b} {issue}, is that related?",
        "{b} will i get a credit for this? {emoji} {tail}", "{b} it's been {hours} hours{p} {emoji}",
        "{b} love this{p} {happy_emoji}", "{b} not working in {city}. {feeling}{p}",
        "{b} {praise}{p} {happy_emoji}", "{b} does this affect my {product}? {tail}",
        "{b} how long will this take? {emoji} {tail}",
    ],
    "B_CLARIFY": [
        "{c} {greet} {empathy} {clarq}{sig}", "{c} {empathy} {clarq}{sig}", "{c} {greet} {clarq}{sig}",
        "{c} {empathy} {clarq} {clarq2}{sig}", "{c} {greet} We'd like to help. {clarq}{sig}",
        "{c} {greet} Is this about your {product}? {clarq}{sig}",
        "{c} {empathy} Let's figure this out. {clarq}{sig}",
    ],
    "B_DM": [
        "{c} {greet} {empathy} {dm}{sig}", "{c} {empathy} {dm} {dmlink}{sig}", "{c} {dm}{sig}",
        "{c} {greet} {dm}{sig}", "{c} {empathy} We want to get your {product} sorted. {dm}{sig}",
        "{c} {empathy} {dm} We're here until {h}pm ET.{sig}",
    ],
    "B_SOLUTION": [
        "{c} {greet} {fixintro} {fix} {more} {link}{sig}", "{c} {fix} {more} {link}{sig}",
        "{c} {empathy} {fix} {link}{sig}", "{c} {fixintro} {fix}{sig}",
        "{c} {greet} {fix} Let us know how it goes!{sig}", "{c} {fix} {more} {link} {happy_emoji}{sig}",
        "{c} {empathy} {fix} If that doesn't help, DM us.{sig}",
    ],
    "B_CALL": [
        "{c} {empathy} Please give us a call at 1-800-{phone} so a specialist can help.{sig}",
        "{c} {empathy} This needs our technical team. Please call 1-800-{phone} (open until {h}pm).{sig}",
        "{c} {greet} For this one it's best to call us at 1-800-{phone}; have your {dminfo} ready.{sig}",
        "{c} {empathy} Please visit your nearest store with {dminfo} and they'll fix it on the spot.{sig}",
    ],
    "B_ACK": [
        "{c} {empathy} {ack}{sig}", "{c} {greet} {ack}{sig}", "{c} {ack} {happy_emoji}{sig}",
        "{c} {empathy} {ack} Hang tight!{sig}", "{c} {ack} Thanks for your patience.{sig}",
    ],
    "B_DMFOLLOW": [
        "{c} {dmfollow}{sig}", "{c} {dmfollow} {happy_emoji}{sig}", "{c} {dmfollow} Talk soon!{sig}",
    ],
    "B_WELCOME": [
        "{c} {welcome} {close}{sig}", "{c} {welcome} {happy_emoji}{sig}", "{c} {welcome}{sig}",
        "{c} {welcome} {close} {happy_emoji}{sig}",
    ],
    "B_CONT": [
        "{c} Also, {fix_lower}{sig}", "{c} (2/2) {more} {link}{sig}", "{c} P.S. {close}{sig}",
        "{c} One more thing: {clarq}{sig}", "{c} (2/2) If that doesn't help, {dm_lower}{sig}",
    ],
    "B_PRAISE_REPLY": [
        "{c} {happy_emoji} Thanks so much! We'll pass this on to {agent}.{sig}",
        "{c} This made our day! {happy_emoji}{sig}", "{c} We love to hear it! {close}{sig}",
        "{c} Thanks for the love! {happy_emoji}{sig}",
        "{c} So glad you're enjoying it! {close}{sig}",
    ],
    "B_ANNOUNCE": [
        "We're aware some customers are having trouble with their {product}. Our team is working on a fix. Updates: {link}",
        "New: you can now {question_lower} right from the app! {happy_emoji} {link}",
        "Scheduled maintenance tonight from {h}:00 to {h2}:00 ET. Some services may be unavailable.",
        "Update: the issue affecting {product} in {city} has been resolved. Thanks for your patience! {happy_emoji}",
        "Heads up! Our support hours are changing this weekend. Details: {link}",
        "Don't fall for scam messages: we will never ask for your password. More: {link}",
        "Our {product} holiday deals start now! {happy_emoji} {tco}",
        "Is your {product} acting up? Try our new troubleshooting guide: {link}",
    ],
    "B_ANNREPLY": [
        "{c} {empathy} {ack}{sig}", "{c} {greet} {fix} {link}{sig}", "{c} {empathy} {dm}{sig}",
        "{c} {happy_emoji} Thanks!{sig}", "{c} {clarq}{sig}", "{c} {greet} Yes! {more} {link}{sig}",
    ],
    "B_OTHER": [
        "{c} {greet} {sorry_b2}{sig}", "{c} {empathy} {sorry_b2}{sig}", "{c} {sorry_b2}{sig}",
    ],
    "BOT_ACK": [
        "{c} Thanks for reaching out to {bn}! Your reference number is {ref}. An agent will reply {eta}.",
        "{c} 🤖 Automated reply: we've received your message (case {ref}). Expect a reply {eta}.",
        "{c} Hi! This is an automated message. Your ticket {ref} is in the queue; we'll reply {eta}.",
        "{c} Thanks for your tweet! Case {ref} was created. Our team replies {eta}.",
    ],
}

DAYS_ES = ["el lunes", "el martes", "ayer", "esta mañana", "hace una semana", "el viernes"]
DAYS_FR = ["lundi", "hier", "ce matin", "une semaine", "vendredi", "mardi"]
ORDINALS = ["third", "fourth", "fifth", "sixth", "10th", "second", "100th", "twentieth"]
PARTS_OF_DAY = ["day", "night", "evening", "weekend", "one", "morning", "week"]
