"""The words of generated refund requests, in English and French, as customers write them."""

from __future__ import annotations

FIRST_NAMES = {
    "en": ("Daniel", "Linda", "Thandi", "Johan", "Ayesha", "Sipho", "Megan", "Bongani", "Riaan",
           "Nomsa", "Kagiso", "Zanele", "Lindiwe", "Pieter", "Grace", "Hannah", "Oliver", "Priya"),
    "fr": ("Camille", "Léa", "Hélène", "Jérôme", "François", "Élodie", "Benoît", "Chloé",
           "Gaëlle", "Noémie", "Stéphane", "Aurélien", "Inès", "Théo", "Maëlys", "René"),
}
LAST_NAMES = {
    "en": ("Fourie", "van Wyk", "Mokoena", "Botha", "Patel", "Dlamini", "Jacobs", "Nkosi",
           "Steyn", "Khumalo", "Molefe", "Ndlovu", "Zulu", "Smit", "Adams", "O'Brien", "Naidoo"),
    "fr": ("Lefèvre", "Girard", "Bérard", "Lemaître", "Façon", "Dubœuf", "Mercier", "Chevalier",
           "Rousseau", "Benoît", "Lévêque", "Moreau", "Gauthier", "Fontaine", "Légaré"),
}
DOMAINS = ("example.com", "example.net", "example.org", "mail.example.co.za", "exemple.fr",
           "courriel.example.fr", "studio.example.com")

SUBJECTS = {
    "en": ("Refund for order {ref}", "Refund request - {ref}", "Cancel order {ref} please",
           "Please refund {ref}", "Problem with my order {ref}", "Money back for {ref}?",
           "Re: your invoice {ref}", "Order {ref}: I want a refund"),
    "fr": ("Remboursement de la commande {ref}", "Demande de remboursement – {ref}",
           "Annulation de ma commande {ref}", "Réclamation concernant {ref}",
           "Commande {ref} : remboursement s'il vous plaît", "Problème avec la commande {ref}"),
}
GREETINGS = {
    "en": ("Hi,", "Hello,", "Good morning,", "Dear Kreatorz team,", "Hi there,", "Dear Sir/Madam,"),
    "fr": ("Bonjour,", "Madame, Monsieur,", "Bonjour à toute l'équipe,", "Bonsoir,"),
}
OPENERS = {
    "en": ("I placed order {ref} with you on {date}.", "This is about my order {ref} from {date}.",
           "I am writing regarding order {ref}, which I paid on {date}.",
           "On {date} I bought a service from you (order {ref})."),
    "fr": ("J'ai passé la commande {ref} chez vous le {date}.",
           "Je vous écris au sujet de ma commande {ref} du {date}.",
           "Le {date}, j'ai réglé la commande {ref} sur votre site.",
           "Ma commande {ref}, passée le {date}, pose problème."),
}
# Each reason's sentences carry a phrase that intake's keyword lists recognise.
REASONS = {
    "en": {
        "change_of_mind": ("Unfortunately I have changed my mind and no longer need the work.",
                           "We have decided to do this in-house, so please cancel my order.",
                           "Our plans changed and we decided not to go ahead with the project."),
        "dissatisfied": ("Frankly I am not happy with the first drafts; the quality is poor.",
                         "I am disappointed with the result, it is not what we paid for."),
        "non_delivery": ("The files were never received although the deadline has passed.",
                         "I am still waiting: nothing has been delivered so far."),
        "not_as_described": ("What I got is not as described on your website.",
                             "The package does not match what was described in the quote."),
        "cancel_recurring": ("Please cancel the maintenance plan and stop the debit order.",
                             "I would like to end my monthly SEO plan from this month."),
        "dispute": ("If this is not resolved I will open a dispute with my bank.",
                    "My bank suggested a chargeback, but I would rather settle it with you."),
    },
    "fr": {
        "change_of_mind": ("J'ai changé d'avis et je n'en ai plus besoin.",
                           "Nous allons finalement le faire en interne ; merci d'annuler la commande.",
                           "J'exerce mon droit de rétractation pour cette commande."),
        "dissatisfied": ("Je suis très déçu du résultat, la qualité n'est pas au rendez-vous.",
                         "Je ne suis pas satisfait du travail livré."),
        "non_delivery": ("Je n'ai toujours pas reçu les fichiers promis.",
                         "Rien n'a été livré à ce jour malgré vos promesses."),
        "not_as_described": ("Le service n'est pas conforme à la description de votre site.",
                             "Ce que j'ai reçu ne correspond pas au devis."),
        "cancel_recurring": ("Je souhaite résilier l'abonnement de maintenance dès ce mois-ci.",
                             "Merci d'arrêter le prélèvement mensuel."),
        "dispute": ("Sans réponse de votre part, j'engagerai un litige auprès de ma banque.",
                    "Je vais saisir le médiateur si rien n'est fait."),
    },
}
DETAILS = {
    "en": ("The project was supposed to start the following Monday; no drafts are approved yet.",
           "I paid the full amount by card, as the receipt shows.",
           "Your colleague told me on the phone that a refund would not be a problem.",
           "Could you tell me how long the refund usually takes to reach my account?",
           "Our website is https://www.{domain}/ in case you need it.",
           "I have attached the invoice and a screenshot of the payment for reference.",
           "Please let me know if you need anything else from me — I'd like to close this quickly.",
           "We are a small business and the budget for this quarter has been cut.",
           "I tried to call twice last week but nobody picked up."),
    "fr": ("Le projet devait démarrer le lundi suivant et je n'ai validé aucune maquette.",
           "J'ai réglé la totalité par carte bancaire, comme l'atteste le reçu.",
           "Votre collègue m'a assuré au téléphone qu'un remboursement était possible.",
           "Pouvez-vous m'indiquer le délai habituel de remboursement ?",
           "Notre site est https://www.{domain}/ si besoin.",
           "Vous trouverez ci-joint la facture et une capture d'écran du paiement.",
           "N'hésitez pas à me recontacter ; je souhaite clore ce dossier rapidement.",
           "Nous sommes une petite entreprise et le budget a été réduit ce trimestre.",
           "J'ai essayé de vous joindre deux fois la semaine dernière, sans succès."),
}
CLOSINGS = {
    "en": ("Thanks in advance,", "Kind regards,", "Best wishes,", "Regards,", "Many thanks,"),
    "fr": ("Cordialement,", "Bien cordialement,", "Merci d'avance,", "Bien à vous,"),
}
REPLY_TEXTS = {
    "en": ("Any news on this? It has been a few days.", "Here is the order number again: {ref}.",
           "The URL you asked for is https://www.{domain}/shop — thanks.",
           "Following up on my email below; please confirm you received it."),
    "fr": ("Avez-vous du nouveau ? Cela fait plusieurs jours.",
           "Voici de nouveau le numéro de commande : {ref}.",
           "L'adresse demandée est https://www.{domain}/boutique — merci.",
           "Je me permets de vous relancer au sujet de mon message ci-dessous."),
}
QUOTE_HEADERS = {"en": "On {date}, {name} <{email}> wrote:",
                 "fr": "Le {date}, {name} <{email}> a écrit :"}
AUTO_REPLY = {
    "en": ("Automatic reply: {subject}",
           "I am out of the office until next week with limited access to email."),
    "fr": ("Réponse automatique : {subject}",
           "Je suis absent(e) jusqu'à la semaine prochaine et je lirai votre message à mon retour."),
}
MAILERS = (
    ("mail.gmail.com", "User-Agent", None),
    ("outlook.com", "X-Mailer", "Microsoft Outlook 16.0"),
    ("icloud.com", "X-Mailer", "Apple Mail (2.3774.500.171.1.1)"),
    ("laposte.net", "User-Agent", "Mozilla Thunderbird 128.4"),
)
OUTLOOK_STYLE = "".join(
    f"p.MsoNormal{i}, li.MsoNormal{i}, div.MsoNormal{i} {{margin:0cm; font-size:11.0pt; "
    f"font-family:\"Calibri\",sans-serif; mso-fareast-language:EN-US;}}\r\n"
    f"span.EmailStyle{i} {{mso-style-type:personal-compose; font-family:\"Calibri\",sans-serif; "
    f"color:windowtext;}}\r\n" for i in range(1, 16)
)
